//! Types shared by the server and the browser, one module per area.

/// The conversions every validated text newtype shares: `as_str`, `Display`, and the serde round
/// trip through `String` (`TryFrom<String>` runs the type's `parse`, so deserialising can never
/// make an invalid value).
macro_rules! text_newtype {
    ($name:ident, $error:ty) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub mod accounts;
pub mod applications;
pub mod catalogue;
pub mod organisations;
