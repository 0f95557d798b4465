//! The integration suite: the real server on port 0 with a fresh database per test, each test
//! run on SQLite and on PostgreSQL.

/// Turns `async fn name(backend: Backend)` tests into one `#[tokio::test]` per database:
/// `area::sqlite::name` and `area::postgres::name`.
macro_rules! on_each_database {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(mesh_portal_tests::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(mesh_portal_tests::Backend::Postgres).await
                }
            )*
        }
    };
}

mod access;
mod accounts;
mod administration;
mod applications;
mod care_identity;
mod catalogue;
mod config;
mod decisions;
mod export;
mod health;
mod mail;
mod markup;
mod mesh_api;
mod mesh_content;
mod mesh_sandbox;
mod messaging;
mod organisations;
mod protection;
mod route_matrix;
mod seed;
mod service_desk;
mod sessions;
mod sign_in;
mod sign_in_pages;
mod startup;
mod storage;
mod tls;
