//! `vigil serve`: the HTTP API on the store.

use anyhow::{Context, Result};
use vigil_model::{Role, EXECUTIVE_COMMITTEE};
use vigil_store::Store;

use crate::admin::audit_cli;

pub async fn run(db: &str, listen: &str) -> Result<()> {
    // Logs go to standard error; standard output carries only the first admin's token.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    let store = Store::open(db).await?;
    if store.users().await?.is_empty() {
        let user = store
            .add_user("admin", EXECUTIVE_COMMITTEE, Role::Admin)
            .await?;
        let token = store.create_token(&user.name, None).await?;
        audit_cli(
            &store,
            "user.add",
            vec![],
            format!(
                "first admin {} of {}, token {}",
                user.name, user.authority, token.id
            ),
        )
        .await?;
        eprintln!(
            "created the first admin {:?} of {}; its token (shown once) follows on standard output",
            user.name, user.authority
        );
        println!("{}", token.token);
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    tracing::info!(address = %listener.local_addr()?, backend = store.backend().as_str(), "serving");
    let app = vigil_server::app(store, vigil_server::Config::default());
    vigil_server::serve(listener, app)
        .await
        .context("the server stopped")?;
    Ok(())
}
