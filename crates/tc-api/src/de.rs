//! Deserializers the generated models use, so that answers are read as leniently as the service writes them.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Reads `null` as the type's default, so a documented field the service leaves null does not fail a whole
/// response. A missing field is still an error unless the field also has `#[serde(default)]`.
pub fn or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// Reads an integer field that some services send as a numeric string (`"Total":"23"`): a number, a string
/// holding one, or `null` (the default). It serves `i64`, `u64`, their `Option`s and lists of them.
pub fn int<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: LenientInt<'de>,
{
    T::deserialize_lenient(deserializer)
}

/// A field shape that [`int`] can read.
pub trait LenientInt<'de>: Sized {
    /// Reads the shape, accepting numeric strings for each integer in it.
    fn deserialize_lenient<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// An integer read from a number or from a string that holds one.
struct Lenient<T>(T);

impl<'de, T: Integer> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(IntegerVisitor(PhantomData))
            .map(Lenient)
    }
}

/// The integer types a service model uses.
trait Integer: Sized + TryFrom<i64> + TryFrom<u64> + std::str::FromStr {}
impl Integer for i64 {}
impl Integer for u64 {}

struct IntegerVisitor<T>(PhantomData<T>);

impl<T: Integer> Visitor<'_> for IntegerVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string holding one")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        v.trim()
            .parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

macro_rules! lenient_shapes {
    ($($int:ty),*) => {$(
        impl<'de> LenientInt<'de> for $int {
            fn deserialize_lenient<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Option::<Lenient<$int>>::deserialize(d)?.map_or(0, |v| v.0))
            }
        }
        impl<'de> LenientInt<'de> for Option<$int> {
            fn deserialize_lenient<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Option::<Lenient<$int>>::deserialize(d)?.map(|v| v.0))
            }
        }
        impl<'de> LenientInt<'de> for Vec<$int> {
            fn deserialize_lenient<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok(Option::<Vec<$int>>::deserialize_lenient(d)?.unwrap_or_default())
            }
        }
        impl<'de> LenientInt<'de> for Option<Vec<$int>> {
            fn deserialize_lenient<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let list = Option::<Vec<Lenient<$int>>>::deserialize(d)?;
                Ok(list.map(|list| list.into_iter().map(|v| v.0).collect()))
            }
        }
    )*};
}

lenient_shapes!(i64, u64);

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Page {
        #[serde(deserialize_with = "super::int")]
        total: u64,
        #[serde(default, deserialize_with = "super::int")]
        offset: Option<i64>,
        #[serde(default, deserialize_with = "super::int")]
        sizes: Vec<u64>,
        #[serde(deserialize_with = "super::or_default")]
        name: String,
    }

    fn page(json: &str) -> Result<Page, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_come_as_numbers_numeric_strings_or_null() {
        let expected = Page {
            total: 23,
            offset: Some(-1),
            sizes: vec![1, 2],
            name: String::new(),
        };
        assert_eq!(
            page(r#"{"total":23,"offset":-1,"sizes":[1,2],"name":null}"#).unwrap(),
            expected
        );
        assert_eq!(
            page(r#"{"total":"23","offset":"-1","sizes":["1",2],"name":null}"#).unwrap(),
            expected
        );
        let nulls = page(r#"{"total":null,"offset":null,"sizes":null,"name":"n"}"#).unwrap();
        assert_eq!((nulls.total, nulls.offset, nulls.sizes.len()), (0, None, 0));
        assert_eq!(page(r#"{"total":1,"name":""}"#).unwrap().offset, None);
    }

    #[test]
    fn what_is_not_an_integer_of_the_type_is_refused() {
        for bad in [
            r#""2x""#,
            "-1",
            "1.5",
            "true",
            r#""""#,
            "18446744073709551616",
        ] {
            let json = format!(r#"{{"total":{bad},"name":""}}"#);
            assert!(page(&json).is_err(), "{json}");
        }
        assert!(
            page(r#"{"name":""}"#).is_err(),
            "a required field may not be missing"
        );
    }
}
