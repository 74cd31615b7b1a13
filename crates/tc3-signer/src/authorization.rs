//! Strict parsing of a TC3 `Authorization` header.

use std::fmt;

use crate::canonical::ALGORITHM;
use crate::secret::REDACTED;

/// The fields of `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<list>, Signature=<hex>`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ParsedAuthorization<'a> {
    secret_id: &'a str,
    date: &'a str,
    service: &'a str,
    signed_headers: &'a str,
    signature: [u8; 32],
}

impl<'a> ParsedAuthorization<'a> {
    /// Parses `value`, accepting exactly the format the service documents: single spaces, `", "`
    /// separators, lower-case header names and 64 lower-case hex digits. Anything else is `None`.
    ///
    /// ```
    /// use tc3_signer::ParsedAuthorization;
    ///
    /// let value = "TC3-HMAC-SHA256 Credential=AKIDEXAMPLE/2023-11-14/scf/tc3_request, \
    ///     SignedHeaders=content-type;host, Signature=564efc9793013f49cdcd81158c59c9ef0fcb69264548dfe9d8d48835495a631f";
    /// let parsed = ParsedAuthorization::parse(value).unwrap();
    /// assert_eq!(parsed.secret_id(), "AKIDEXAMPLE");
    /// assert_eq!(parsed.signed_headers().collect::<Vec<_>>(), ["content-type", "host"]);
    /// assert!(ParsedAuthorization::parse(&value.replace(", ", ",")).is_none());
    /// ```
    pub fn parse(value: &'a str) -> Option<Self> {
        let rest = value
            .strip_prefix(ALGORITHM)?
            .strip_prefix(" Credential=")?;
        let (secret_id, rest) = rest.split_once('/')?;
        let (date, rest) = rest.split_at_checked(10)?;
        let rest = rest.strip_prefix('/')?;
        let (service, rest) = rest.split_once('/')?;
        let rest = rest.strip_prefix("tc3_request, SignedHeaders=")?;
        // The signature is the last 64 characters: the header list cannot hold the separator (its
        // names allow no comma or space), so splitting there finds the only place it can be.
        let (signed_headers, signature) = rest.split_at_checked(rest.len().checked_sub(64)?)?;
        let signed_headers = signed_headers.strip_suffix(", Signature=")?;

        let date_ok = date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        let signed_headers_ok = !signed_headers.is_empty()
            && signed_headers.split(';').all(|name| {
                !name.is_empty()
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        let signature_ok = signature.len() == 64
            && signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if secret_id.is_empty()
            || service.is_empty()
            || !date_ok
            || !signed_headers_ok
            || !signature_ok
        {
            return None;
        }
        let mut raw = [0u8; 32];
        hex::decode_to_slice(signature, &mut raw).ok()?;
        Some(Self {
            secret_id,
            date,
            service,
            signed_headers,
            signature: raw,
        })
    }

    /// The SecretId that claims to have signed.
    pub fn secret_id(&self) -> &'a str {
        self.secret_id
    }

    /// The scope date, `YYYY-MM-DD`.
    pub fn date(&self) -> &'a str {
        self.date
    }

    /// The scope service.
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// The signed header names, in the order listed.
    pub fn signed_headers(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        self.signed_headers.split(';')
    }

    /// The `SignedHeaders` list as sent.
    pub fn signed_headers_list(&self) -> &'a str {
        self.signed_headers
    }

    /// The 32 raw signature bytes.
    pub fn signature(&self) -> &[u8; 32] {
        &self.signature
    }
}

impl fmt::Debug for ParsedAuthorization<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedAuthorization")
            .field("secret_id", &self.secret_id)
            .field("date", &self.date)
            .field("service", &self.service)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &REDACTED)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2023-11-14/scf/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=88c91d59111b02083b8f3787f4e7a02bf4a09d1d57fdba16ab2f5fc8ea03a5ec";

    #[test]
    fn parses_every_field() {
        let parsed = ParsedAuthorization::parse(VALID).unwrap();
        assert_eq!(parsed.secret_id(), "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE");
        assert_eq!(parsed.date(), "2023-11-14");
        assert_eq!(parsed.service(), "scf");
        assert_eq!(
            parsed.signed_headers_list(),
            "content-type;host;x-tc-action"
        );
        assert_eq!(parsed.signature()[0], 0x88);
    }

    #[test]
    fn rejects_every_deviation_from_the_format() {
        let deviations = [
            "",
            "TC3-HMAC-SHA256",
            &VALID.replace("TC3-HMAC-SHA256", "TC3-HMAC-SHA1"),
            &VALID.replace("TC3-HMAC-SHA256 ", "TC3-HMAC-SHA256  "),
            &VALID.replace(", Signed", ",Signed"),
            &VALID.replace(", Signature", ",  Signature"),
            &VALID.replace(", Signature=", ", Signature=, Signature="),
            &VALID.replace("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", ""),
            &VALID.replace("2023-11-14", "2023-1-14"),
            &VALID.replace("2023-11-14", "2023/11/14"),
            &VALID.replace("/scf/", "//"),
            &VALID.replace("tc3_request", "tc4_request"),
            &VALID.replace("content-type;host", "Content-Type;host"),
            &VALID.replace("content-type;host", "content-type;;host"),
            &VALID.replace("content-type;host;x-tc-action", ""),
            &VALID.replace("content-type;host", "content_type;host"),
            &VALID.replace("88c91d", "88C91D"),
            &VALID.replace("88c91d", "88c91"),
            &VALID.replace("88c91d", "88c91dd"),
            &VALID.replace("88c91d", "88c91g"),
            &format!("{VALID} "),
            &format!(" {VALID}"),
        ];
        for value in deviations {
            assert!(ParsedAuthorization::parse(value).is_none(), "{value:?}");
        }
    }

    #[test]
    fn debug_hides_the_signature() {
        let debug = format!("{:?}", ParsedAuthorization::parse(VALID).unwrap());
        assert!(!debug.contains("88c91d"), "{debug}");
    }
}
