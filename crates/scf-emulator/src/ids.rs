//! Random identifiers in the service's UUID format.

/// A version-4 UUID, lower-case and hyphenated, as RequestIds and InvokeRequestIds are.
///
/// Every request makes one, so it is written digit by digit into one allocation.
pub(crate) fn uuid() -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut bits = fastrand::u128(..);
    bits = (bits & !(0xf << 76)) | (0x4 << 76);
    bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    let mut text = String::with_capacity(36);
    for nibble in 0..32 {
        if matches!(nibble, 8 | 12 | 16 | 20) {
            text.push('-');
        }
        let digit = (bits >> (124 - 4 * nibble)) & 0xf;
        text.push(char::from(DIGITS[digit as usize]));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn uuids_are_version_4_and_distinct() {
        let a = super::uuid();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
        assert_ne!(a, super::uuid());
        assert!(a.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit() && !b.is_ascii_uppercase(),
        }));
    }
}
