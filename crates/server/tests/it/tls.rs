use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use vigil_testkit::store_test;

use crate::support::*;

store_test!(https_with_a_self_signed_certificate, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, key.cert.pem()).unwrap();
    std::fs::write(&key_path, key.key_pair.serialize_pem()).unwrap();

    let config = vigil_server::tls_config(&cert_path, &key_path).unwrap();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listener = vigil_server::TlsListener::new(tcp, config).unwrap();
    let address = axum::serve::Listener::local_addr(&listener).unwrap();
    tokio::spawn(vigil_server::serve_tls(listener, w.app.clone()));

    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(key.cert.der().to_vec()))
        .unwrap();
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let client = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(client));
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"ok\""), "{answer}");

    // Plain HTTP on the TLS port gets no HTTP answer.
    let mut plain = tokio::net::TcpStream::connect(address).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf).await;
    assert!(!String::from_utf8_lossy(&buf).contains("200"));

    // Unreadable files are named.
    let missing = dir.path().join("missing.pem");
    let err = vigil_server::tls_config(&missing, &key_path).unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
    let err = vigil_server::tls_config(&cert_path, &cert_path).unwrap_err();
    assert!(err.to_string().contains("cert.pem"), "{err}");
});
