//! `error_code.rs`: the service's error codes and the common ones as one open enum.

use std::fmt::Write as _;

use super::docs::doc_comment;
use super::header;
use super::model::Service;

pub(crate) fn error_code_module(service: &Service) -> String {
    let mut out = header(&service.spec_label);
    let _ = write!(
        out,
        "\n/// An error code of `{svc}` {version} or a common API 3.0 code, as the service spells it.\n///\n\
         /// Branch on the code, never on the message. A code this version does not know is kept verbatim in\n\
         /// [`ErrorCode::Other`].\n\
         #[derive(Debug, Clone, PartialEq, Eq, Hash)]\n#[non_exhaustive]\npub enum ErrorCode {{\n",
        svc = service.name,
        version = service.version,
    );
    for code in &service.error_codes {
        out.push_str(&doc_comment(
            &code.description,
            &format!("`{}`.", code.code),
        ));
        let _ = writeln!(out, "{},", code.variant);
    }
    out.push_str("/// A code this version does not know, kept verbatim.\nOther(String),\n}\n\nimpl ErrorCode {\n");
    out.push_str("/// Every code this version knows, sorted by code.\npub const KNOWN: &'static [ErrorCode] = &[\n");
    for code in &service.error_codes {
        let _ = write!(out, "Self::{}, ", code.variant);
    }
    out.push_str("];\n\n/// The code as the service spells it (`ResourceNotFound.Function`).\npub fn as_str(&self) -> &str {\nmatch self {\n");
    for code in &service.error_codes {
        let _ = writeln!(out, "Self::{} => {:?},", code.variant, code.code);
    }
    out.push_str("Self::Other(code) => code,\n}\n}\n\n/// The code the service means by `code`; an unknown one is kept verbatim.\npub fn parse(code: &str) -> Self {\nmatch code {\n");
    for code in &service.error_codes {
        let _ = writeln!(out, "{:?} => Self::{},", code.code, code.variant);
    }
    out.push_str("other => Self::Other(other.to_owned()),\n}\n}\n\n/// The spec's one-line description of a known code.\npub fn description(&self) -> Option<&'static str> {\nSome(match self {\n");
    for code in &service.error_codes {
        let _ = writeln!(out, "Self::{} => {:?},", code.variant, code.description);
    }
    out.push_str(
        "Self::Other(_) => return None,\n})\n}\n\n\
         /// What a caller can do about the error.\npub fn class(&self) -> tc_api::ErrorClass {\ntc_api::ErrorClass::of(self.as_str())\n}\n\n\
         /// Whether an idempotent request failing this way may be sent again.\npub fn is_retryable(&self) -> bool {\nself.class().is_retryable()\n}\n}\n\n\
         impl std::fmt::Display for ErrorCode {\nfn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\nf.write_str(self.as_str())\n}\n}\n\n\
         impl From<&str> for ErrorCode {\nfn from(code: &str) -> Self {\nSelf::parse(code)\n}\n}\n\n\
         impl serde::Serialize for ErrorCode {\nfn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\nserializer.serialize_str(self.as_str())\n}\n}\n\n\
         impl<'de> serde::Deserialize<'de> for ErrorCode {\nfn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\nlet code = <String as serde::Deserialize>::deserialize(deserializer)?;\nOk(Self::parse(&code))\n}\n}\n",
    );
    out
}
