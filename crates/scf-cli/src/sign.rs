//! `scf sign`: an offline signature generator, like API Explorer's signature tool.
#![allow(clippy::print_stdout)]

use std::io::{IsTerminal, Read};
use std::time::{SystemTime, UNIX_EPOCH};

use scf::signer::{Credentials, SignablePayload, SignableRequest, SigningParams, sign_with_steps};
use scf::transport::{DefaultChain, ProvideCredentials};
use serde_json::json;

use crate::args::SignArgs;
use crate::exit::Failure;
use crate::input::read_input;

pub(crate) async fn run(args: SignArgs, profile: Option<&str>) -> Result<(), Failure> {
    let credentials = match (&args.secret_id, &args.secret_key_env) {
        (Some(id), Some(variable)) => {
            let key = std::env::var(variable).map_err(|_| {
                Failure::Config(format!(
                    "the variable {variable} named by --secret-key-env is not set"
                ))
            })?;
            Credentials::new(id, key).map_err(|e| Failure::Config(e.to_string()))?
        }
        _ => {
            let mut chain = DefaultChain::new();
            if let Some(profile) = profile {
                chain = chain.profile(profile);
            }
            chain
                .credentials()
                .await
                .map_err(|e| Failure::Config(e.to_string()))?
        }
    };
    let method = args.method.to_ascii_uppercase();
    let body = match &args.body_file {
        Some(path) => read_input(path)
            .map_err(|e| Failure::Config(format!("cannot read {}: {e}", path.display())))?,
        None if method == "POST" && !std::io::stdin().is_terminal() => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::Config(format!("cannot read stdin: {e}")))?;
            text
        }
        None => String::new(),
    };
    let host = args
        .host
        .clone()
        .unwrap_or_else(|| format!("{}.tencentcloudapi.com", args.service));
    let content_type = args.content_type.clone().unwrap_or_else(|| {
        if method == "GET" {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        }
        .to_owned()
    });
    let mut headers = vec![
        ("content-type".to_owned(), content_type),
        ("host".to_owned(), host),
    ];
    for header in &args.headers {
        let (name, value) = header
            .split_once(':')
            .ok_or_else(|| Failure::Config(format!("--header {header:?} must be name:value")))?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let timestamp = args.timestamp.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    });
    let request = SignableRequest::new(&method, &pairs, SignablePayload::Bytes(body.as_bytes()))
        .with_query(&args.query);
    let (output, steps) = sign_with_steps(
        &request,
        &SigningParams::new(&credentials, &args.service, timestamp),
    )
    .map_err(|e| Failure::Config(e.to_string()))?;
    if args.json {
        let document = json!({
            "canonical_request": steps.canonical_request,
            "string_to_sign": steps.string_to_sign,
            "authorization": output.authorization(),
            "timestamp": timestamp,
            "action": args.action,
            "version": args.api_version,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&document).unwrap_or_default()
        );
    } else {
        println!("CanonicalRequest:\n{}\n", steps.canonical_request);
        println!("StringToSign:\n{}\n", steps.string_to_sign);
        println!("Authorization: {}", output.authorization());
        println!("X-TC-Timestamp: {timestamp}");
        println!("X-TC-Action: {}", args.action);
        println!("X-TC-Version: {}", args.api_version);
    }
    Ok(())
}
