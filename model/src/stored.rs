//! Enums kept in the database as their words (`active`, `integration`, …): with the `database`
//! feature (the server's), each reads and writes itself through sqlx, so a repository's rows hold
//! the enum and a word the code does not know is an error where the row is read, not a string
//! compared wrongly later.

/// Gives each listed type (with `as_str(self) -> &'static str` and
/// `parse(&str) -> Option<Self>`) sqlx's `Type`, `Encode` and `Decode` for the `Any` driver, as
/// text.
macro_rules! stored_as_text {
    ($($kind:ty),* $(,)?) => {$(
        #[cfg(feature = "database")]
        impl sqlx::Type<sqlx::Any> for $kind {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }

            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "database")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $kind {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <&str as sqlx::Encode<'q, sqlx::Any>>::encode(self.as_str(), buf)
            }
        }

        #[cfg(feature = "database")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $kind {
            fn decode(
                value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <String as sqlx::Decode<'r, sqlx::Any>>::decode(value)?;
                <$kind>::parse(&text).ok_or_else(|| {
                    format!("{text:?} is not a stored {}", stringify!($kind)).into()
                })
            }
        }
    )*};
}

stored_as_text!(
    crate::common::Environment,
    crate::common::Direction,
    crate::common::AccessRoute,
    crate::common::MailboxStatus,
    crate::messaging::MessageStatus,
    crate::messaging::MessageKind,
    crate::applications::ApplicationStatus,
    crate::applications::ApplicationKind,
    crate::accounts::Role,
    crate::accounts::UserStatus,
    crate::accounts::SecondFactor,
    crate::catalogue::WorkflowStatus,
);
