//! A self-signed certificate for the HTTPS listener.

use std::sync::Arc;

use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer},
    },
};

use crate::Error;

/// The certificate clients must trust, as DER and as PEM text.
#[derive(Debug)]
pub(crate) struct Certificate {
    pub(crate) der: Vec<u8>,
    pub(crate) pem: String,
}

/// The acceptor and the certificate clients must trust, valid for `127.0.0.1` and `localhost`.
pub(crate) fn self_signed() -> Result<(TlsAcceptor, Certificate), Error> {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()])
        .map_err(|e| Error::Tls(Box::new(e)))?;
    let cert_der = certified.cert.der().to_vec();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(Box::new(e)))?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key)
        .map_err(|e| Error::Tls(Box::new(e)))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let certificate = Certificate {
        der: cert_der,
        pem: certified.cert.pem(),
    };
    Ok((TlsAcceptor::from(Arc::new(config)), certificate))
}
