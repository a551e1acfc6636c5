//! Exact money: amounts are integer minor units (two decimals), shares are hundredths of a
//! percent (17.6 % = 1760), and a budget is split into contributions by the largest-remainder
//! method so that they always sum to the budget exactly.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{Result, RuleError};

/// An amount in minor units (cents) of some currency.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Money(pub i64);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// The currencies Vigil knows (ISO 4217): the SCO's accounting currencies and the members'.
pub const CURRENCIES: &[&str] = &[
    "USD", "EUR", "CNY", "RUB", "INR", "PKR", "KZT", "KGS", "TJS", "UZS", "BYN", "IRR",
];

pub fn check_currency(field: &str, code: &str) -> Result<()> {
    if CURRENCIES.contains(&code) {
        Ok(())
    } else {
        Err(RuleError::new(
            field,
            format!(
                "unknown currency {code:?}; known: {}",
                CURRENCIES.join(", ")
            ),
        ))
    }
}

/// Parses a decimal with at most `scale` fractional digits into an integer of that scale.
fn parse_fixed(field: &str, text: &str, scale: u32, what: &str) -> Result<i64> {
    let bad = |why: &str| RuleError::new(field, format!("{text:?} is not {what}: {why}"));
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad("digits expected before the point"));
    }
    if !frac.bytes().all(|c| c.is_ascii_digit()) || (text.contains('.') && frac.is_empty()) {
        return Err(bad("digits expected after the point"));
    }
    if frac.len() > scale as usize {
        return Err(bad(&format!("at most {scale} decimals")));
    }
    let w: i64 = whole.parse().map_err(|_| bad("too large"))?;
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad("too large"))?
    };
    for _ in frac.len()..scale as usize {
        f *= 10;
    }
    w.checked_mul(10_i64.pow(scale))
        .and_then(|v| v.checked_add(f))
        .filter(|v| *v <= 1_000_000_000_000_000)
        .ok_or_else(|| bad("too large"))
}

/// A non-negative amount such as `3500000` or `3500000.50`.
pub fn parse_amount(field: &str, text: &str) -> Result<Money> {
    parse_fixed(field, text, 2, "an amount").map(Money)
}

/// A percentage such as `17.6` into hundredths of a percent (`1760`).
pub fn parse_share(field: &str, text: &str) -> Result<i64> {
    let v = parse_fixed(field, text, 2, "a percentage")?;
    if v > 10_000 {
        return Err(RuleError::new(field, format!("{text}% is more than 100%")));
    }
    Ok(v)
}

pub fn share_text(hundredths: i64) -> String {
    let s = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Checks that shares sum to exactly 100 % and name each state once.
pub fn check_shares(shares: &[(String, i64)]) -> Result<()> {
    if shares.is_empty() {
        return Err(RuleError::new("shares", "no shares given"));
    }
    for (i, (s, _)) in shares.iter().enumerate() {
        if shares[..i].iter().any(|(o, _)| o == s) {
            return Err(RuleError::new("shares", format!("{s} appears twice")));
        }
    }
    let total: i64 = shares.iter().map(|(_, v)| v).sum();
    if total != 10_000 {
        return Err(RuleError::new(
            "shares",
            format!("the shares sum to {}%, not 100%", share_text(total)),
        ));
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contribution {
    pub state: String,
    /// Hundredths of a percent.
    pub share: i64,
    pub due: Money,
    pub paid: Money,
    /// `due - paid`, never below zero.
    pub arrears: Money,
}

/// Splits `budget` by `shares` (which [`check_shares`] accepted): each state gets the floor of
/// its exact part, and the cents left over go one each to the largest fractional parts (ties:
/// larger share first, then state code), so the contributions sum to the budget exactly.
pub fn allocate(budget: Money, shares: &[(String, i64)]) -> Vec<(String, i64, Money)> {
    let total = budget.0 as i128;
    let mut parts: Vec<(usize, i128, i128)> = shares
        .iter()
        .enumerate()
        .map(|(i, (_, s))| {
            let exact = total * (*s as i128);
            (i, exact / 10_000, exact % 10_000)
        })
        .collect();
    let assigned: i128 = parts.iter().map(|p| p.1).sum();
    let mut left = total - assigned;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|&a, &b| {
        parts[b]
            .2
            .cmp(&parts[a].2)
            .then(shares[b].1.cmp(&shares[a].1))
            .then(shares[a].0.cmp(&shares[b].0))
    });
    for &i in &order {
        if left <= 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    parts
        .into_iter()
        .map(|(i, amount, _)| (shares[i].0.clone(), shares[i].1, Money(amount as i64)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn shares_2025() -> Vec<(String, i64)> {
        [
            ("CN", "17.6"),
            ("RU", "17.6"),
            ("KZ", "15.2"),
            ("UZ", "12.6"),
            ("KG", "7.6"),
            ("TJ", "6.0"),
            ("IN", "5.9"),
            ("PK", "5.9"),
            ("BY", "5.8"),
            ("IR", "5.8"),
        ]
        .iter()
        .map(|(s, p)| (s.to_string(), parse_share("share", p).unwrap()))
        .collect()
    }

    #[test]
    fn amounts_and_shares_parse_exactly() {
        assert_eq!(parse_amount("a", "3500000").unwrap(), Money(350_000_000));
        assert_eq!(parse_amount("a", "0.05").unwrap(), Money(5));
        assert_eq!(parse_amount("a", "12.5").unwrap().to_string(), "12.50");
        for bad in [
            "",
            "-1",
            "1.234",
            "1,5",
            "1.",
            ".5",
            "1e3",
            "99999999999999999999",
        ] {
            assert_eq!(
                parse_amount("amount", bad).unwrap_err().field,
                "amount",
                "{bad}"
            );
        }
        assert_eq!(parse_share("s", "17.6").unwrap(), 1760);
        assert_eq!(share_text(1760), "17.6");
        assert_eq!(share_text(600), "6");
        assert!(parse_share("s", "100.01").is_err());
        check_currency("currency", "USD").unwrap();
        assert!(check_currency("currency", "XYZ")
            .unwrap_err()
            .message
            .contains("XYZ"));
    }

    #[test]
    fn shares_must_sum_to_one_hundred() {
        check_shares(&shares_2025()).unwrap();
        let mut short = shares_2025();
        short.pop();
        let e = check_shares(&short).unwrap_err();
        assert!(e.message.contains("94.2%"), "{e}");
        let mut twice = shares_2025();
        twice[1].0 = "CN".into();
        assert!(check_shares(&twice).unwrap_err().message.contains("twice"));
    }

    #[test]
    fn contributions_sum_to_the_budget_exactly() {
        for cents in [
            0,
            1,
            7,
            99,
            100_001,
            350_000_003,
            12_345_678_901,
            99_999_999_999,
        ] {
            let parts = allocate(Money(cents), &shares_2025());
            let sum: i64 = parts.iter().map(|p| p.2 .0).sum();
            assert_eq!(sum, cents, "budget {cents}");
            for (state, share, due) in &parts {
                let exact = cents as f64 * *share as f64 / 10_000.0;
                assert!(
                    (due.0 as f64 - exact).abs() < 1.0,
                    "{state} {due} vs {exact}"
                );
            }
        }
        // 1 cent goes to the largest remainder; with equal remainders, the larger share, then
        // the state code: deterministic.
        let one = allocate(Money(1), &shares_2025());
        assert_eq!(one[0], ("CN".to_string(), 1760, Money(1)));
        assert!(one[1..].iter().all(|p| p.2 == Money(0)));
        let b = allocate(Money(3), &shares_2025());
        assert_eq!(
            b.iter()
                .filter(|p| p.2 == Money(1))
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>(),
            ["CN", "RU", "KZ"]
        );
    }
}
