//! Country names as lists write them, mapped to ISO 3166-1 alpha-2 codes.
//!
//! The table holds every ISO 3166-1 entry (249) plus XK for Kosovo, which the lists use. Each
//! row has the alpha-2 code, the alpha-3 code and the names: the short English name first, then
//! the ISO and UN long forms and the variants the designation lists (UN, OFAC, UK, EU) write,
//! plus Russian names of the SCO members, observers, dialogue partners and their neighbours, and
//! Chinese names of the SCO members and observers. All names are lowercase.
//!
//! Lookup folds its input before it compares (see [`fold`]): case, surrounding punctuation,
//! extra spaces, curly apostrophes, hyphens, `&`, a leading "the " and a leading "st."/"st" are
//! not significant. The table's names are folded the same way when the index is built, so every
//! name in the table is found by its own text.

use std::collections::HashMap;
use std::sync::OnceLock;

/// (alpha-2, alpha-3, names and variants, lowercase). The first name is the short English name.
#[rustfmt::skip]
const COUNTRIES: &[(&str, &str, &[&str])] = &[
    ("AD", "AND", &["andorra", "principality of andorra"]),
    ("AE", "ARE", &["united arab emirates", "uae", "emirates", "объединённые арабские эмираты", "объединенные арабские эмираты", "оаэ"]),
    ("AF", "AFG", &["afghanistan", "islamic republic of afghanistan", "islamic emirate of afghanistan", "афганистан", "исламская республика афганистан", "阿富汗", "阿富汗伊斯兰共和国"]),
    ("AG", "ATG", &["antigua and barbuda", "antigua"]),
    ("AI", "AIA", &["anguilla"]),
    ("AL", "ALB", &["albania", "republic of albania"]),
    ("AM", "ARM", &["armenia", "republic of armenia", "армения", "республика армения"]),
    ("AO", "AGO", &["angola", "republic of angola"]),
    ("AQ", "ATA", &["antarctica"]),
    ("AR", "ARG", &["argentina", "argentine republic"]),
    ("AS", "ASM", &["american samoa"]),
    ("AT", "AUT", &["austria", "republic of austria"]),
    ("AU", "AUS", &["australia"]),
    ("AW", "ABW", &["aruba"]),
    ("AX", "ALA", &["åland islands", "aland islands", "åland"]),
    ("AZ", "AZE", &["azerbaijan", "republic of azerbaijan", "азербайджан", "азербайджанская республика", "республика азербайджан"]),
    ("BA", "BIH", &["bosnia and herzegovina", "republic of bosnia and herzegovina", "bosnia-herzegovina", "bosnia", "bosnia and herzegowina"]),
    ("BB", "BRB", &["barbados"]),
    ("BD", "BGD", &["bangladesh", "people's republic of bangladesh", "бангладеш", "народная республика бангладеш"]),
    ("BE", "BEL", &["belgium", "kingdom of belgium"]),
    ("BF", "BFA", &["burkina faso"]),
    ("BG", "BGR", &["bulgaria", "republic of bulgaria"]),
    ("BH", "BHR", &["bahrain", "kingdom of bahrain", "бахрейн", "королевство бахрейн"]),
    ("BI", "BDI", &["burundi", "republic of burundi"]),
    ("BJ", "BEN", &["benin", "republic of benin"]),
    ("BL", "BLM", &["saint barthélemy", "saint barthelemy", "st. barthélemy", "st. barthelemy"]),
    ("BM", "BMU", &["bermuda"]),
    ("BN", "BRN", &["brunei", "brunei darussalam", "nation of brunei"]),
    ("BO", "BOL", &["bolivia", "bolivia, plurinational state of", "plurinational state of bolivia", "bolivia (plurinational state of)"]),
    ("BQ", "BES", &["bonaire, sint eustatius and saba", "caribbean netherlands", "bonaire", "bonaire, saint eustatius and saba"]),
    ("BR", "BRA", &["brazil", "federative republic of brazil"]),
    ("BS", "BHS", &["bahamas", "commonwealth of the bahamas", "bahamas, the"]),
    ("BT", "BTN", &["bhutan", "kingdom of bhutan", "бутан", "королевство бутан"]),
    ("BV", "BVT", &["bouvet island"]),
    ("BW", "BWA", &["botswana", "republic of botswana"]),
    ("BY", "BLR", &["belarus", "republic of belarus", "byelorussia", "беларусь", "белоруссия", "республика беларусь", "白俄罗斯", "白俄羅斯", "白俄罗斯共和国"]),
    ("BZ", "BLZ", &["belize"]),
    ("CA", "CAN", &["canada"]),
    ("CC", "CCK", &["cocos (keeling) islands", "cocos islands", "keeling islands"]),
    ("CD", "COD", &["democratic republic of the congo", "congo, the democratic republic of the", "congo, democratic republic of the", "congo, democratic republic of", "congo (democratic republic of the)", "congo, dem. rep.", "dem. rep. of the congo", "congo-kinshasa", "dr congo", "drc", "zaire"]),
    ("CF", "CAF", &["central african republic"]),
    ("CG", "COG", &["congo", "republic of the congo", "congo, republic of the", "congo, republic of", "congo (republic of the)", "congo, rep.", "congo-brazzaville", "congo, people's republic of", "people's republic of the congo"]),
    ("CH", "CHE", &["switzerland", "swiss confederation"]),
    ("CI", "CIV", &["côte d'ivoire", "republic of côte d'ivoire", "cote d'ivoire", "cote d ivoire", "ivory coast", "republic of cote d'ivoire"]),
    ("CK", "COK", &["cook islands"]),
    ("CL", "CHL", &["chile", "republic of chile"]),
    ("CM", "CMR", &["cameroon", "republic of cameroon"]),
    ("CN", "CHN", &["china", "people's republic of china", "prc", "mainland china", "китай", "китайская народная республика", "кнр", "中国", "中华人民共和国", "中國", "中華人民共和國"]),
    ("CO", "COL", &["colombia", "republic of colombia"]),
    ("CR", "CRI", &["costa rica", "republic of costa rica"]),
    ("CU", "CUB", &["cuba", "republic of cuba"]),
    ("CV", "CPV", &["cabo verde", "republic of cabo verde", "cape verde", "republic of cape verde"]),
    ("CW", "CUW", &["curaçao", "curacao"]),
    ("CX", "CXR", &["christmas island"]),
    ("CY", "CYP", &["cyprus", "republic of cyprus"]),
    ("CZ", "CZE", &["czechia", "czech republic"]),
    ("DE", "DEU", &["germany", "federal republic of germany"]),
    ("DJ", "DJI", &["djibouti", "republic of djibouti"]),
    ("DK", "DNK", &["denmark", "kingdom of denmark"]),
    ("DM", "DMA", &["dominica", "commonwealth of dominica"]),
    ("DO", "DOM", &["dominican republic"]),
    ("DZ", "DZA", &["algeria", "people's democratic republic of algeria"]),
    ("EC", "ECU", &["ecuador", "republic of ecuador"]),
    ("EE", "EST", &["estonia", "republic of estonia", "эстония", "эстонская республика"]),
    ("EG", "EGY", &["egypt", "arab republic of egypt", "egypt, arab rep.", "египет", "арабская республика египет"]),
    ("EH", "ESH", &["western sahara"]),
    ("ER", "ERI", &["eritrea", "state of eritrea"]),
    ("ES", "ESP", &["spain", "kingdom of spain"]),
    ("ET", "ETH", &["ethiopia", "federal democratic republic of ethiopia"]),
    ("FI", "FIN", &["finland", "republic of finland", "финляндия", "финляндская республика"]),
    ("FJ", "FJI", &["fiji", "republic of fiji"]),
    ("FK", "FLK", &["falkland islands", "falkland islands (malvinas)", "falklands", "malvinas"]),
    ("FM", "FSM", &["micronesia", "micronesia, federated states of", "federated states of micronesia", "micronesia (federated states of)", "micronesia, fed. sts."]),
    ("FO", "FRO", &["faroe islands", "faeroe islands"]),
    ("FR", "FRA", &["france", "french republic"]),
    ("GA", "GAB", &["gabon", "gabonese republic"]),
    ("GB", "GBR", &["united kingdom", "united kingdom of great britain and northern ireland", "uk", "u.k.", "great britain", "britain", "england", "scotland", "wales", "northern ireland", "великобритания"]),
    ("GD", "GRD", &["grenada"]),
    ("GE", "GEO", &["georgia", "грузия"]),
    ("GF", "GUF", &["french guiana"]),
    ("GG", "GGY", &["guernsey"]),
    ("GH", "GHA", &["ghana", "republic of ghana"]),
    ("GI", "GIB", &["gibraltar"]),
    ("GL", "GRL", &["greenland"]),
    ("GM", "GMB", &["gambia", "republic of the gambia", "gambia, the"]),
    ("GN", "GIN", &["guinea", "republic of guinea"]),
    ("GP", "GLP", &["guadeloupe"]),
    ("GQ", "GNQ", &["equatorial guinea", "republic of equatorial guinea"]),
    ("GR", "GRC", &["greece", "hellenic republic"]),
    ("GS", "SGS", &["south georgia and the south sandwich islands"]),
    ("GT", "GTM", &["guatemala", "republic of guatemala"]),
    ("GU", "GUM", &["guam"]),
    ("GW", "GNB", &["guinea-bissau", "republic of guinea-bissau"]),
    ("GY", "GUY", &["guyana", "republic of guyana"]),
    ("HK", "HKG", &["hong kong", "hong kong special administrative region of china", "hong kong sar", "hong kong, china", "hong kong sar, china", "china, hong kong special administrative region", "hong kong special administrative region", "hong kong (china)", "hongkong"]),
    ("HM", "HMD", &["heard island and mcdonald islands"]),
    ("HN", "HND", &["honduras", "republic of honduras"]),
    ("HR", "HRV", &["croatia", "republic of croatia"]),
    ("HT", "HTI", &["haiti", "republic of haiti"]),
    ("HU", "HUN", &["hungary"]),
    ("ID", "IDN", &["indonesia", "republic of indonesia"]),
    ("IE", "IRL", &["ireland"]),
    ("IL", "ISR", &["israel", "state of israel"]),
    ("IM", "IMN", &["isle of man", "man, isle of"]),
    ("IN", "IND", &["india", "republic of india", "индия", "республика индия", "印度", "印度共和国"]),
    ("IO", "IOT", &["british indian ocean territory"]),
    ("IQ", "IRQ", &["iraq", "republic of iraq", "ирак", "республика ирак", "иракская республика"]),
    ("IR", "IRN", &["iran", "iran, islamic republic of", "islamic republic of iran", "iran (islamic republic of)", "iran, islamic rep.", "persia", "иран", "исламская республика иран", "伊朗", "伊朗伊斯兰共和国"]),
    ("IS", "ISL", &["iceland", "republic of iceland"]),
    ("IT", "ITA", &["italy", "italian republic"]),
    ("JE", "JEY", &["jersey"]),
    ("JM", "JAM", &["jamaica"]),
    ("JO", "JOR", &["jordan", "hashemite kingdom of jordan"]),
    ("JP", "JPN", &["japan", "япония"]),
    ("KE", "KEN", &["kenya", "republic of kenya"]),
    ("KG", "KGZ", &["kyrgyzstan", "kyrgyz republic", "kirghizia", "kirgizstan", "кыргызстан", "киргизия", "кыргызская республика", "киргизская республика", "республика кыргызстан", "吉尔吉斯斯坦", "吉尔吉斯坦", "吉尔吉斯共和国", "吉爾吉斯斯坦"]),
    ("KH", "KHM", &["cambodia", "kingdom of cambodia", "kampuchea", "камбоджа", "королевство камбоджа"]),
    ("KI", "KIR", &["kiribati", "republic of kiribati"]),
    ("KM", "COM", &["comoros", "union of the comoros", "comoros islands"]),
    ("KN", "KNA", &["saint kitts and nevis", "st. kitts and nevis", "st kitts and nevis", "saint christopher and nevis"]),
    ("KP", "PRK", &["north korea", "korea, democratic people's republic of", "democratic people's republic of korea", "korea (democratic people's republic of)", "korea, north", "dprk", "korea, dem. rep.", "korea, dem. people's rep.", "кндр", "корейская народно-демократическая республика", "северная корея", "朝鲜", "朝鲜民主主义人民共和国"]),
    ("KR", "KOR", &["south korea", "korea, republic of", "korea, south", "republic of korea", "korea (republic of)", "korea, rep.", "rok", "южная корея", "республика корея"]),
    ("KW", "KWT", &["kuwait", "state of kuwait", "кувейт", "государство кувейт"]),
    ("KY", "CYM", &["cayman islands"]),
    ("KZ", "KAZ", &["kazakhstan", "republic of kazakhstan", "казахстан", "республика казахстан", "哈萨克斯坦", "哈萨克斯坦共和国", "哈薩克斯坦"]),
    ("LA", "LAO", &["laos", "lao people's democratic republic", "lao pdr", "lao", "лаос", "лаосская народно-демократическая республика"]),
    ("LB", "LBN", &["lebanon", "lebanese republic"]),
    ("LC", "LCA", &["saint lucia", "st. lucia"]),
    ("LI", "LIE", &["liechtenstein", "principality of liechtenstein"]),
    ("LK", "LKA", &["sri lanka", "democratic socialist republic of sri lanka", "ceylon", "шри-ланка", "демократическая социалистическая республика шри-ланка"]),
    ("LR", "LBR", &["liberia", "republic of liberia"]),
    ("LS", "LSO", &["lesotho", "kingdom of lesotho"]),
    ("LT", "LTU", &["lithuania", "republic of lithuania", "литва", "литовская республика"]),
    ("LU", "LUX", &["luxembourg", "grand duchy of luxembourg"]),
    ("LV", "LVA", &["latvia", "republic of latvia", "латвия", "латвийская республика"]),
    ("LY", "LBY", &["libya"]),
    ("MA", "MAR", &["morocco", "kingdom of morocco"]),
    ("MC", "MCO", &["monaco", "principality of monaco"]),
    ("MD", "MDA", &["moldova", "moldova, republic of", "republic of moldova", "moldova (republic of)", "moldavia", "молдова", "молдавия", "республика молдова"]),
    ("ME", "MNE", &["montenegro"]),
    ("MF", "MAF", &["saint martin", "saint martin (french part)", "st. martin"]),
    ("MG", "MDG", &["madagascar", "republic of madagascar"]),
    ("MH", "MHL", &["marshall islands", "republic of the marshall islands"]),
    ("MK", "MKD", &["north macedonia", "republic of north macedonia", "macedonia", "north macedonia, the republic of", "north macedonia, republic of", "former yugoslav republic of macedonia", "macedonia, the former yugoslav republic of", "macedonia (the former yugoslav republic of)", "fyrom", "republic of macedonia"]),
    ("ML", "MLI", &["mali", "republic of mali"]),
    ("MM", "MMR", &["myanmar", "republic of myanmar", "burma", "republic of the union of myanmar", "myanmar (burma)", "мьянма", "бирма", "республика мьянма", "республика союз мьянма"]),
    ("MN", "MNG", &["mongolia", "монголия", "蒙古", "蒙古国"]),
    ("MO", "MAC", &["macao", "macao special administrative region of china", "macau", "macao sar", "macao, china", "macao sar, china", "china, macao special administrative region", "macau sar"]),
    ("MP", "MNP", &["northern mariana islands", "commonwealth of the northern mariana islands"]),
    ("MQ", "MTQ", &["martinique"]),
    ("MR", "MRT", &["mauritania", "islamic republic of mauritania"]),
    ("MS", "MSR", &["montserrat"]),
    ("MT", "MLT", &["malta", "republic of malta"]),
    ("MU", "MUS", &["mauritius", "republic of mauritius"]),
    ("MV", "MDV", &["maldives", "republic of maldives", "мальдивы", "мальдивская республика"]),
    ("MW", "MWI", &["malawi", "republic of malawi"]),
    ("MX", "MEX", &["mexico", "united mexican states"]),
    ("MY", "MYS", &["malaysia"]),
    ("MZ", "MOZ", &["mozambique", "republic of mozambique"]),
    ("NA", "NAM", &["namibia", "republic of namibia"]),
    ("NC", "NCL", &["new caledonia"]),
    ("NE", "NER", &["niger", "republic of the niger"]),
    ("NF", "NFK", &["norfolk island"]),
    ("NG", "NGA", &["nigeria", "federal republic of nigeria"]),
    ("NI", "NIC", &["nicaragua", "republic of nicaragua"]),
    ("NL", "NLD", &["netherlands", "kingdom of the netherlands", "holland"]),
    ("NO", "NOR", &["norway", "kingdom of norway", "норвегия", "королевство норвегия"]),
    ("NP", "NPL", &["nepal", "federal democratic republic of nepal", "непал", "федеративная демократическая республика непал"]),
    ("NR", "NRU", &["nauru", "republic of nauru"]),
    ("NU", "NIU", &["niue"]),
    ("NZ", "NZL", &["new zealand"]),
    ("OM", "OMN", &["oman", "sultanate of oman"]),
    ("PA", "PAN", &["panama", "republic of panama"]),
    ("PE", "PER", &["peru", "republic of peru"]),
    ("PF", "PYF", &["french polynesia"]),
    ("PG", "PNG", &["papua new guinea", "independent state of papua new guinea"]),
    ("PH", "PHL", &["philippines", "republic of the philippines"]),
    ("PK", "PAK", &["pakistan", "islamic republic of pakistan", "пакистан", "исламская республика пакистан", "巴基斯坦", "巴基斯坦伊斯兰共和国"]),
    ("PL", "POL", &["poland", "republic of poland", "польша", "республика польша"]),
    ("PM", "SPM", &["saint pierre and miquelon", "st. pierre and miquelon"]),
    ("PN", "PCN", &["pitcairn", "pitcairn islands"]),
    ("PR", "PRI", &["puerto rico"]),
    ("PS", "PSE", &["palestine", "palestine, state of", "state of palestine", "palestine (state of)", "occupied palestinian territory", "occupied palestinian territories", "palestinian territory, occupied", "palestinian territory", "palestinian territories", "palestinian authority", "palestinian", "west bank", "gaza", "gaza strip", "west bank and gaza", "west bank and gaza strip"]),
    ("PT", "PRT", &["portugal", "portuguese republic"]),
    ("PW", "PLW", &["palau", "republic of palau"]),
    ("PY", "PRY", &["paraguay", "republic of paraguay"]),
    ("QA", "QAT", &["qatar", "state of qatar", "катар", "государство катар"]),
    ("RE", "REU", &["réunion", "reunion"]),
    ("RO", "ROU", &["romania"]),
    ("RS", "SRB", &["serbia", "republic of serbia"]),
    ("RU", "RUS", &["russia", "russian federation", "россия", "российская федерация", "рф", "俄罗斯", "俄罗斯联邦", "俄羅斯"]),
    ("RW", "RWA", &["rwanda", "rwandese republic"]),
    ("SA", "SAU", &["saudi arabia", "kingdom of saudi arabia", "ksa", "саудовская аравия", "королевство саудовская аравия"]),
    ("SB", "SLB", &["solomon islands"]),
    ("SC", "SYC", &["seychelles", "republic of seychelles"]),
    ("SD", "SDN", &["sudan", "republic of the sudan"]),
    ("SE", "SWE", &["sweden", "kingdom of sweden"]),
    ("SG", "SGP", &["singapore", "republic of singapore"]),
    ("SH", "SHN", &["saint helena, ascension and tristan da cunha", "saint helena", "st. helena"]),
    ("SI", "SVN", &["slovenia", "republic of slovenia"]),
    ("SJ", "SJM", &["svalbard and jan mayen"]),
    ("SK", "SVK", &["slovakia", "slovak republic"]),
    ("SL", "SLE", &["sierra leone", "republic of sierra leone"]),
    ("SM", "SMR", &["san marino", "republic of san marino"]),
    ("SN", "SEN", &["senegal", "republic of senegal"]),
    ("SO", "SOM", &["somalia", "federal republic of somalia"]),
    ("SR", "SUR", &["suriname", "republic of suriname"]),
    ("SS", "SSD", &["south sudan", "republic of south sudan"]),
    ("ST", "STP", &["sao tome and principe", "democratic republic of sao tome and principe", "são tomé and príncipe"]),
    ("SV", "SLV", &["el salvador", "republic of el salvador"]),
    ("SX", "SXM", &["sint maarten", "sint maarten (dutch part)"]),
    ("SY", "SYR", &["syria", "syrian arab republic", "сирия", "сирийская арабская республика"]),
    ("SZ", "SWZ", &["eswatini", "kingdom of eswatini", "swaziland", "kingdom of swaziland"]),
    ("TC", "TCA", &["turks and caicos islands"]),
    ("TD", "TCD", &["chad", "republic of chad"]),
    ("TF", "ATF", &["french southern territories"]),
    ("TG", "TGO", &["togo", "togolese republic"]),
    ("TH", "THA", &["thailand", "kingdom of thailand"]),
    ("TJ", "TJK", &["tajikistan", "republic of tajikistan", "таджикистан", "республика таджикистан", "塔吉克斯坦", "塔吉克斯坦共和国"]),
    ("TK", "TKL", &["tokelau"]),
    ("TL", "TLS", &["timor-leste", "democratic republic of timor-leste", "east timor"]),
    ("TM", "TKM", &["turkmenistan", "туркменистан", "туркмения"]),
    ("TN", "TUN", &["tunisia", "republic of tunisia"]),
    ("TO", "TON", &["tonga", "kingdom of tonga"]),
    ("TR", "TUR", &["türkiye", "republic of türkiye", "turkey", "turkiye", "republic of turkey", "турция", "турецкая республика"]),
    ("TT", "TTO", &["trinidad and tobago", "republic of trinidad and tobago", "trinidad"]),
    ("TV", "TUV", &["tuvalu"]),
    ("TW", "TWN", &["taiwan", "taiwan, province of china", "republic of china", "chinese taipei", "taiwan (province of china)", "taiwan, china"]),
    ("TZ", "TZA", &["tanzania", "tanzania, united republic of", "united republic of tanzania", "tanzania (united republic of)"]),
    ("UA", "UKR", &["ukraine", "украина"]),
    ("UG", "UGA", &["uganda", "republic of uganda"]),
    ("UM", "UMI", &["united states minor outlying islands"]),
    ("US", "USA", &["united states", "united states of america", "usa", "us", "u.s.", "сша", "соединённые штаты америки", "соединенные штаты америки"]),
    ("UY", "URY", &["uruguay", "eastern republic of uruguay"]),
    ("UZ", "UZB", &["uzbekistan", "republic of uzbekistan", "узбекистан", "республика узбекистан", "乌兹别克斯坦", "烏茲別克斯坦", "乌兹别克斯坦共和国"]),
    ("VA", "VAT", &["holy see", "holy see (vatican city state)", "vatican", "vatican city", "vatican city state"]),
    ("VC", "VCT", &["saint vincent and the grenadines", "st. vincent and the grenadines"]),
    ("VE", "VEN", &["venezuela", "venezuela, bolivarian republic of", "bolivarian republic of venezuela", "venezuela (bolivarian republic of)", "venezuela, rb"]),
    ("VG", "VGB", &["british virgin islands", "virgin islands, british", "virgin islands (british)", "bvi"]),
    ("VI", "VIR", &["united states virgin islands", "virgin islands, u.s.", "virgin islands of the united states", "virgin islands (u.s.)", "u.s. virgin islands", "us virgin islands"]),
    ("VN", "VNM", &["vietnam", "viet nam", "socialist republic of viet nam", "socialist republic of vietnam", "вьетнам", "социалистическая республика вьетнам"]),
    ("VU", "VUT", &["vanuatu", "republic of vanuatu"]),
    ("WF", "WLF", &["wallis and futuna"]),
    ("WS", "WSM", &["samoa", "independent state of samoa"]),
    ("XK", "XKX", &["kosovo", "republic of kosovo"]),
    ("YE", "YEM", &["yemen", "republic of yemen", "yemen, rep."]),
    ("YT", "MYT", &["mayotte"]),
    ("ZA", "ZAF", &["south africa", "republic of south africa"]),
    ("ZM", "ZMB", &["zambia", "republic of zambia"]),
    ("ZW", "ZWE", &["zimbabwe", "republic of zimbabwe"]),
];

/// Alpha-2 codes not accepted on their own as input. Lists write "na" for "not available" (the
/// UN list has `<VALUE>na</VALUE>` as a nationality), so "NA" alone is not taken for Namibia;
/// "namibia" and "nam" still are.
const AMBIGUOUS_CODES: &[&str] = &["NA"];

/// Characters ignored at either end of the text, besides whitespace. Parentheses are kept: they
/// belong to names such as "iran (islamic republic of)".
const EDGE_PUNCTUATION: &[char] = &[
    '.', ',', ';', ':', '!', '?', '"', '\'', '*', '[', ']', '{', '}', '/', '\\', '|', '#', '«',
    '»', '“', '”', '„',
];

fn is_edge_punctuation(c: char) -> bool {
    c.is_whitespace() || EDGE_PUNCTUATION.contains(&c)
}

/// The comparison form of a country text: lowercase; curly apostrophes made straight; hyphens and
/// dashes made spaces; surrounding punctuation dropped; runs of spaces made one; "&" read as
/// "and"; a leading "the " dropped; a leading "st." or "st" read as "saint" (both only before
/// another word).
fn fold(text: &str) -> String {
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| match c {
            '’' | '‘' | '`' | '´' | 'ʼ' => '\'',
            '-' | '‐' | '‑' | '–' | '—' | '_' => ' ',
            c => c,
        })
        .collect();
    let mut words: Vec<&str> = lower
        .trim_matches(is_edge_punctuation)
        .split_whitespace()
        .map(|w| if w == "&" { "and" } else { w })
        .collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    // Only before another word: "st" alone is the code of Sao Tome and Principe.
    if words.len() > 1 && (words[0] == "st." || words[0] == "st") {
        words[0] = "saint";
    }
    words.join(" ")
}

/// Folded name or code → alpha-2 code, built once from [`COUNTRIES`].
fn index() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::with_capacity(COUNTRIES.len() * 8);
        for &(alpha2, alpha3, names) in COUNTRIES {
            if !AMBIGUOUS_CODES.contains(&alpha2) {
                map.entry(alpha2.to_lowercase()).or_insert(alpha2);
            }
            map.entry(alpha3.to_lowercase()).or_insert(alpha2);
            for name in names {
                map.entry(fold(name)).or_insert(alpha2);
            }
        }
        map
    })
}

/// The ISO 3166-1 alpha-2 code for a country name, variant or code (alpha-2 or alpha-3); `None`
/// when unknown.
///
/// A trailing parenthetical the table does not know ("Afghanistan (as of 2010)", "Gaza
/// (Palestinian Authority)") is dropped when the text before it is itself a known name.
pub fn lookup(text: &str) -> Option<&'static str> {
    let key = fold(text);
    if key.is_empty() {
        return None;
    }
    let index = index();
    if let Some(code) = index.get(&key) {
        return Some(code);
    }
    let open = key.strip_suffix(')')?.rfind('(')?;
    let rest = fold(&key[..open]);
    if rest.is_empty() {
        return None;
    }
    index.get(&rest).copied()
}

/// The short English name for an ISO code.
pub fn name_of(code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(code))
        .and_then(|(_, _, names)| names.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_covers_iso_3166_and_kosovo() {
        assert_eq!(COUNTRIES.len(), 250);
        let alpha2: HashSet<_> = COUNTRIES.iter().map(|(a2, _, _)| *a2).collect();
        let alpha3: HashSet<_> = COUNTRIES.iter().map(|(_, a3, _)| *a3).collect();
        assert_eq!(alpha2.len(), COUNTRIES.len(), "duplicate alpha-2 code");
        assert_eq!(alpha3.len(), COUNTRIES.len(), "duplicate alpha-3 code");
        for &(a2, a3, names) in COUNTRIES {
            assert!(
                a2.len() == 2 && a2.chars().all(|c| c.is_ascii_uppercase()),
                "{a2}"
            );
            assert!(
                a3.len() == 3 && a3.chars().all(|c| c.is_ascii_uppercase()),
                "{a3}"
            );
            assert!(!names.is_empty(), "{a2} has no name");
            for name in names {
                assert_eq!(*name, name.to_lowercase(), "{a2}: {name} is not lowercase");
                assert_eq!(*name, name.trim(), "{a2}: {name:?} has surrounding spaces");
            }
        }
        assert!(alpha2.contains("XK"));
    }

    #[test]
    fn no_name_maps_to_two_countries() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for &(a2, a3, names) in COUNTRIES {
            let keys = names
                .iter()
                .map(|n| fold(n))
                .chain([a2.to_lowercase(), a3.to_lowercase()]);
            for key in keys {
                if let Some(other) = seen.insert(key.clone(), a2) {
                    assert_eq!(other, a2, "{key:?} is both {other} and {a2}");
                }
            }
        }
    }

    #[test]
    fn every_table_name_and_code_resolves_to_its_row() {
        for &(a2, a3, names) in COUNTRIES {
            for name in names {
                assert_eq!(lookup(name), Some(a2), "{name}");
            }
            assert_eq!(lookup(a3), Some(a2), "{a3}");
            assert_eq!(lookup(&a3.to_lowercase()), Some(a2), "{a3}");
            if !AMBIGUOUS_CODES.contains(&a2) {
                assert_eq!(lookup(a2), Some(a2), "{a2}");
                assert_eq!(lookup(&a2.to_lowercase()), Some(a2), "{a2}");
            }
        }
    }

    #[test]
    fn short_english_name_comes_first() {
        assert_eq!(name_of("RU"), Some("russia"));
        assert_eq!(name_of("ru"), Some("russia"));
        assert_eq!(name_of("GB"), Some("united kingdom"));
        assert_eq!(name_of("US"), Some("united states"));
        assert_eq!(name_of("IR"), Some("iran"));
        assert_eq!(name_of("KP"), Some("north korea"));
        assert_eq!(name_of("KR"), Some("south korea"));
        assert_eq!(name_of("CD"), Some("democratic republic of the congo"));
        assert_eq!(name_of("CG"), Some("congo"));
        assert_eq!(name_of("XK"), Some("kosovo"));
        assert_eq!(name_of("RUS"), None);
        assert_eq!(name_of("ZZ"), None);
        assert_eq!(name_of(""), None);
    }

    /// Every distinct country string in the UN consolidated list (NATIONALITY, COUNTRY,
    /// COUNTRY_OF_BIRTH, COUNTRY_OF_ISSUE, ISSUING_COUNTRY; 2025-04 and 2026-02 files) and in the
    /// OFAC SDN files (`nationality X;`, `citizen X;`, the country ending `POB ..., X;`, vessel
    /// flags, and the address country column of add.csv), with the code each must resolve to.
    const LIST_STRINGS: &[(&str, &str)] = &[
        // UN consolidated list.
        ("Afghanistan", "AF"),
        ("Albania", "AL"),
        ("Algeria", "DZ"),
        ("Bangladesh", "BD"),
        ("Belgium", "BE"),
        ("Bosnia and Herzegovina", "BA"),
        ("British Virgin Islands", "VG"),
        ("Central African Republic", "CF"),
        ("Chad", "TD"),
        ("China", "CN"),
        ("China, Hong Kong Special Administrative Region", "HK"),
        ("Comoros", "KM"),
        ("Congo", "CG"),
        ("Democratic People's Republic of Korea", "KP"),
        ("Democratic Republic of the Congo", "CD"),
        ("Egypt", "EG"),
        ("Eritrea", "ER"),
        ("Ethiopia", "ET"),
        ("France", "FR"),
        ("Gabon", "GA"),
        ("Georgia", "GE"),
        ("Germany", "DE"),
        ("Guinea-Bissau", "GW"),
        ("Haiti", "HT"),
        ("India", "IN"),
        ("Indonesia", "ID"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Iraq", "IQ"),
        ("Italy", "IT"),
        ("Jordan", "JO"),
        ("Kenya", "KE"),
        ("Kuwait", "KW"),
        ("Lebanon", "LB"),
        ("Libya", "LY"),
        ("Liechtenstein", "LI"),
        ("Malaysia", "MY"),
        ("Mali", "ML"),
        ("Marshall Islands", "MH"),
        ("Mauritania", "MR"),
        ("Morocco", "MA"),
        ("Myanmar", "MM"),
        ("Netherlands", "NL"),
        ("Niger", "NE"),
        ("Nigeria", "NG"),
        ("Norway", "NO"),
        ("Oman", "OM"),
        ("Pakistan", "PK"),
        ("Panama", "PA"),
        ("Philippines", "PH"),
        ("Qatar", "QA"),
        ("Russian Federation", "RU"),
        ("Rwanda", "RW"),
        ("Saudi Arabia", "SA"),
        ("Senegal", "SN"),
        ("Singapore", "SG"),
        ("Somalia", "SO"),
        ("South Sudan", "SS"),
        ("State of Palestine", "PS"),
        ("Sudan", "SD"),
        ("Sweden", "SE"),
        ("Switzerland", "CH"),
        ("Syrian Arab Republic", "SY"),
        ("Tajikistan", "TJ"),
        ("Trinidad and Tobago", "TT"),
        ("Tunisia", "TN"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Uganda", "UG"),
        ("United Arab Emirates", "AE"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("United Republic of Tanzania", "TZ"),
        ("United States of America", "US"),
        ("Uzbekistan", "UZ"),
        ("Viet Nam", "VN"),
        ("Yemen", "YE"),
        // OFAC SDN: nationality, citizenship, place of birth, vessel flag, address country.
        ("Angola", "AO"),
        ("Antigua and Barbuda", "AG"),
        ("Argentina", "AR"),
        ("Armenia", "AM"),
        ("Aruba", "AW"),
        ("Australia", "AU"),
        ("Austria", "AT"),
        ("Azerbaijan", "AZ"),
        ("Bahamas", "BS"),
        ("Bahamas, The", "BS"),
        ("Bahrain", "BH"),
        ("Barbados", "BB"),
        ("Belarus", "BY"),
        ("Belize", "BZ"),
        ("Benin", "BJ"),
        ("Bermuda", "BM"),
        ("Bolivia", "BO"),
        ("Bosnia", "BA"),
        ("Bosnia-Herzegovina", "BA"),
        ("Brazil", "BR"),
        ("Brunei", "BN"),
        ("Bulgaria", "BG"),
        ("Burkina Faso", "BF"),
        ("Burma", "MM"),
        ("Burundi", "BI"),
        ("Cabo Verde", "CV"),
        ("Cambodia", "KH"),
        ("Cameroon", "CM"),
        ("Canada", "CA"),
        ("Cayman Islands", "KY"),
        ("Chile", "CL"),
        ("Colombia", "CO"),
        ("Comoros Islands", "KM"),
        ("Congo, Democratic Republic of the", "CD"),
        ("Congo, Republic of the", "CG"),
        ("Cook Islands", "CK"),
        ("Costa Rica", "CR"),
        ("Cote d Ivoire", "CI"),
        ("Croatia", "HR"),
        ("Cuba", "CU"),
        ("Cyprus", "CY"),
        ("Czech Republic", "CZ"),
        ("DPRK", "KP"),
        ("DRC", "CD"),
        ("Denmark", "DK"),
        ("Djibouti", "DJ"),
        ("Dominica", "DM"),
        ("Dominican Republic", "DO"),
        ("Ecuador", "EC"),
        ("El Salvador", "SV"),
        ("England", "GB"),
        ("Equatorial Guinea", "GQ"),
        ("Estonia", "EE"),
        ("Finland", "FI"),
        ("Gaza", "PS"),
        ("Gaza Strip", "PS"),
        ("Ghana", "GH"),
        ("Gibraltar", "GI"),
        ("Greece", "GR"),
        ("Guatemala", "GT"),
        ("Guernsey", "GG"),
        ("Guinea", "GN"),
        ("Guyana", "GY"),
        ("Honduras", "HN"),
        ("Hong Kong", "HK"),
        ("Hungary", "HU"),
        ("IRAQ", "IQ"),
        ("Iceland", "IS"),
        ("Iran", "IR"),
        ("Ireland", "IE"),
        ("Israel", "IL"),
        ("Ivory Coast", "CI"),
        ("Jamaica", "JM"),
        ("Japan", "JP"),
        ("Jersey", "JE"),
        ("Kazakhstan", "KZ"),
        ("Kiribati", "KI"),
        ("Korea, North", "KP"),
        ("Korea, South", "KR"),
        ("Kosovo", "XK"),
        ("Kyrgyzstan", "KG"),
        ("LIBYA", "LY"),
        ("Laos", "LA"),
        ("Latvia", "LV"),
        ("Liberia", "LR"),
        ("Lithuania", "LT"),
        ("Luxembourg", "LU"),
        ("MEXICO", "MX"),
        ("Macau", "MO"),
        ("Macedonia", "MK"),
        ("Macedonia, The Former Yugoslav Republic of", "MK"),
        ("Maldives", "MV"),
        ("Malta", "MT"),
        ("Man, Isle of", "IM"),
        ("Mauritius", "MU"),
        ("Mexico", "MX"),
        ("Moldova", "MD"),
        ("Monaco", "MC"),
        ("Mongolia", "MN"),
        ("Montenegro", "ME"),
        ("Mozambique", "MZ"),
        ("Namibia", "NA"),
        ("New Zealand", "NZ"),
        ("Nicaragua", "NI"),
        ("North Korea", "KP"),
        ("North Macedonia", "MK"),
        ("North Macedonia, The Republic of", "MK"),
        ("Palau", "PW"),
        ("Palestine", "PS"),
        ("Palestinian", "PS"),
        ("Palestinian Territories", "PS"),
        ("Paraguay", "PY"),
        ("Peru", "PE"),
        ("Poland", "PL"),
        ("Portugal", "PT"),
        ("Republic of Serbia", "RS"),
        ("Romania", "RO"),
        ("Russia", "RU"),
        ("Saint Kitts and Nevis", "KN"),
        ("Saint Vincent and the Grenadines", "VC"),
        ("Samoa", "WS"),
        ("San Marino", "SM"),
        ("Sao Tome and Principe", "ST"),
        ("Serbia", "RS"),
        ("Seychelles", "SC"),
        ("Sierra Leone", "SL"),
        ("Slovakia", "SK"),
        ("Slovenia", "SI"),
        ("South Africa", "ZA"),
        ("South Korea", "KR"),
        ("Spain", "ES"),
        ("Sri Lanka", "LK"),
        ("St Kitts and Nevis", "KN"),
        ("St. Kitts & Nevis", "KN"),
        ("St. Kitts and Nevis", "KN"),
        ("St. Vincent and the Grenadines", "VC"),
        ("Suriname", "SR"),
        ("Syria", "SY"),
        ("Taiwan", "TW"),
        ("Tanzania", "TZ"),
        ("Thailand", "TH"),
        ("The Gambia", "GM"),
        ("Togo", "TG"),
        ("Turkmenistan", "TM"),
        ("Tuvalu", "TV"),
        ("UK", "GB"),
        ("USA", "US"),
        ("Ukraine", "UA"),
        ("United Kingdom", "GB"),
        ("United States", "US"),
        ("Uruguay", "UY"),
        ("Vanuatu", "VU"),
        ("Venezuela", "VE"),
        ("Vietnam", "VN"),
        ("Virgin Islands, British", "VG"),
        ("West Bank", "PS"),
        ("Western Sahara", "EH"),
        ("Zambia", "ZM"),
        ("Zimbabwe", "ZW"),
        ("the Philippines", "PH"),
        ("the Russian Federation", "RU"),
    ];

    #[test]
    fn every_country_string_in_the_un_and_ofac_lists_resolves() {
        let failures: Vec<_> = LIST_STRINGS
            .iter()
            .filter(|(text, code)| lookup(text) != Some(*code))
            .map(|(text, code)| format!("{text:?}: expected {code}, got {:?}", lookup(text)))
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn eu_list_variants() {
        assert_eq!(lookup("IRAN (ISLAMIC REPUBLIC OF)"), Some("IR"));
        assert_eq!(lookup("KOREA, DEMOCRATIC PEOPLE'S REPUBLIC OF"), Some("KP"));
        assert_eq!(lookup("MOLDOVA, REPUBLIC OF"), Some("MD"));
        assert_eq!(lookup("TANZANIA, UNITED REPUBLIC OF"), Some("TZ"));
        assert_eq!(lookup("PALESTINIAN TERRITORY, Occupied"), Some("PS"));
        assert_eq!(lookup("BOSNIA AND HERZEGOWINA"), Some("BA"));
        assert_eq!(lookup("CONGO, People's Republic of"), Some("CG"));
        assert_eq!(
            lookup("CONGO, Democratic Republic of (was Zaire)"),
            Some("CD")
        );
        assert_eq!(lookup("COTE D'IVOIRE"), Some("CI"));
        assert_eq!(lookup("Kosovo*"), Some("XK"));
    }

    #[test]
    fn iso_and_un_long_forms() {
        for (text, code) in [
            ("Iran, Islamic Republic of", "IR"),
            ("Islamic Republic of Iran", "IR"),
            ("Korea, Republic of", "KR"),
            ("Republic of Korea", "KR"),
            ("Lao People's Democratic Republic", "LA"),
            ("Bolivia (Plurinational State of)", "BO"),
            ("Venezuela (Bolivarian Republic of)", "VE"),
            ("Micronesia (Federated States of)", "FM"),
            ("Brunei Darussalam", "BN"),
            ("Côte d'Ivoire", "CI"),
            ("Côte d’Ivoire", "CI"),
            ("Democratic People’s Republic of Korea", "KP"),
            ("Republic of the Congo", "CG"),
            ("Occupied Palestinian Territory", "PS"),
            ("Kyrgyz Republic", "KG"),
            ("Czechia", "CZ"),
            ("Eswatini", "SZ"),
            ("Swaziland", "SZ"),
            ("Cape Verde", "CV"),
            ("Timor-Leste", "TL"),
            ("East Timor", "TL"),
            ("Holy See", "VA"),
            ("Vatican", "VA"),
            ("Republic of Moldova", "MD"),
            ("Great Britain", "GB"),
            ("US", "US"),
            ("Virgin Islands, U.S.", "VI"),
            ("Taiwan, Province of China", "TW"),
        ] {
            assert_eq!(lookup(text), Some(code), "{text}");
        }
    }

    #[test]
    fn russian_and_chinese_names() {
        for (text, code) in [
            ("Россия", "RU"),
            ("РОССИЙСКАЯ ФЕДЕРАЦИЯ", "RU"),
            ("Казахстан", "KZ"),
            ("Узбекистан", "UZ"),
            ("Кыргызстан", "KG"),
            ("Киргизия", "KG"),
            ("Таджикистан", "TJ"),
            ("Китай", "CN"),
            ("Индия", "IN"),
            ("Пакистан", "PK"),
            ("Иран", "IR"),
            ("Беларусь", "BY"),
            ("Белоруссия", "BY"),
            ("Афганистан", "AF"),
            ("Монголия", "MN"),
            ("Туркменистан", "TM"),
            ("Азербайджан", "AZ"),
            ("Армения", "AM"),
            ("Сирия", "SY"),
            ("Ирак", "IQ"),
            ("Турция", "TR"),
            ("Корейская Народно-Демократическая Республика", "KP"),
            ("中国", "CN"),
            ("俄罗斯", "RU"),
            ("哈萨克斯坦", "KZ"),
            ("吉尔吉斯斯坦", "KG"),
            ("塔吉克斯坦", "TJ"),
            ("乌兹别克斯坦", "UZ"),
            ("印度", "IN"),
            ("巴基斯坦", "PK"),
            ("伊朗", "IR"),
            ("白俄罗斯", "BY"),
        ] {
            assert_eq!(lookup(text), Some(code), "{text}");
        }
    }

    #[test]
    fn codes() {
        assert_eq!(lookup("RU"), Some("RU"));
        assert_eq!(lookup("ru"), Some("RU"));
        assert_eq!(lookup("RUS"), Some("RU"));
        assert_eq!(lookup("prk"), Some("KP"));
        assert_eq!(lookup("GBR"), Some("GB"));
        assert_eq!(lookup("XK"), Some("XK"));
        assert_eq!(lookup("NAM"), Some("NA"));
        // "na" is "not available" in the lists, not Namibia.
        assert_eq!(lookup("na"), None);
        assert_eq!(lookup("NA"), None);
        assert_eq!(lookup("ST"), Some("ST"));
        assert_eq!(lookup("st."), Some("ST"));
    }

    #[test]
    fn folding() {
        assert_eq!(lookup("  the   Russian   Federation. "), Some("RU"));
        assert_eq!(lookup("The Gambia"), Some("GM"));
        assert_eq!(lookup("\"Syria\";"), Some("SY"));
        assert_eq!(lookup("(Syria)"), None);
        assert_eq!(lookup("Guinea Bissau"), Some("GW"));
        assert_eq!(lookup("Trinidad & Tobago"), Some("TT"));
        assert_eq!(lookup("St Lucia"), Some("LC"));
        assert_eq!(lookup("U.K."), Some("GB"));
        assert_eq!(lookup("korea,  north"), Some("KP"));
    }

    #[test]
    fn unknown_trailing_parenthetical_is_dropped_only_before_a_known_name() {
        assert_eq!(lookup("Afghanistan (as of 2010)"), Some("AF"));
        assert_eq!(lookup("Gaza (Palestinian Authority)"), Some("PS"));
        assert_eq!(lookup("West Bank (Palestinian Authority)"), Some("PS"));
        assert_eq!(lookup("Myanmar (Burma)"), Some("MM"));
        assert_eq!(lookup("Kosovo (under UNSCR 1244/99)"), Some("XK"));
        // The text before the parenthetical must itself be a known name.
        assert_eq!(lookup("Tunisi (Tunisia)"), None);
        assert_eq!(lookup("(Medina) Saudi Arabia"), None);
        assert_eq!(lookup("Atlantis (Iran)"), None);
        assert_eq!(lookup("(Iran)"), None);
        assert_eq!(lookup("Iran (a) (b)"), None);
    }

    #[test]
    fn unknown_text_is_none() {
        for text in [
            "",
            "   ",
            ".",
            "Atlantis",
            "former Soviet Union",
            "USSR",
            "Serbia and Montenegro",
            "ex-Yugoslavia",
            "Netherlands Antilles",
            "Crimea",
            "Region: Gaza",
            "None Identified",
            "undetermined",
            "Korea",
            "RUSSIAN FEDERATION, UKRAINE",
            "X",
            "ZZ",
            "ZZZ",
        ] {
            assert_eq!(lookup(text), None, "{text:?}");
        }
    }
}
