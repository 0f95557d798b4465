//! Every page's form post, with or without JavaScript, is parsed once here: its address becomes
//! one variant of its area's form enum ([`AccountForm`], [`ServiceDeskForm`],
//! [`ApplicationForm`]), which that area matches exhaustively. The server registers a route for
//! each entry of the areas' tables, and nothing else: adding a form is a variant, its line in the
//! table, its arm in the area's `submit` and its page.

use tower_sessions::Session;

use super::AppState;
use super::network::ClientInfo;
use model::error::AppError;
use model::forms::FormValues;

pub use super::accounts::pages::AccountForm;
pub use super::applications::pages::ApplicationForm;
pub use super::service_desk::pages::ServiceDeskForm;
use crate::form_route::parse;

/// A form post, by area.
pub enum FormPost {
    Account(AccountForm),
    ServiceDesk(ServiceDeskForm),
    Application(ApplicationForm),
}

impl FormPost {
    /// The form posted to `path`, if there is one there.
    pub fn parse(path: &str) -> Option<Self> {
        parse(AccountForm::ROUTES, path)
            .map(Self::Account)
            .or_else(|| parse(ServiceDeskForm::ROUTES, path).map(Self::ServiceDesk))
            .or_else(|| parse(ApplicationForm::ROUTES, path).map(Self::Application))
    }
}

/// Every address a form is posted to, for the server's routes.
pub fn routes() -> impl Iterator<Item = &'static str> {
    let account = AccountForm::ROUTES.iter().map(|r| r.template);
    let service_desk = ServiceDeskForm::ROUTES.iter().map(|r| r.template);
    let application = ApplicationForm::ROUTES.iter().map(|r| r.template);
    account.chain(service_desk).chain(application)
}

/// Takes the form posted to the page at `path`; returns the page that comes next.
pub async fn submit(
    state: &AppState,
    session: &Session,
    client: ClientInfo,
    path: &str,
    values: &FormValues,
) -> Result<String, AppError> {
    let form = FormPost::parse(path)
        .ok_or_else(|| AppError::NotFound("There is no form at this address.".into()))?;
    match form {
        FormPost::Account(form) => {
            super::accounts::pages::submit(state, session, client, form, values).await
        }
        FormPost::ServiceDesk(form) => {
            use super::guard::{Need, require};
            let need = format!("form:{path}");
            let user = require(state, session, client, Need::ServiceDesk, &need).await?;
            super::service_desk::pages::submit(state, session, &user, form, values).await
        }
        FormPost::Application(form) => {
            super::applications::pages::submit(state, session, client, form, values).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_route_is_its_own_and_parses_back() {
        let all: Vec<&str> = routes().collect();
        assert!(all.len() >= 25, "every area's forms: {all:?}");
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "no address twice: {all:?}");
        for template in all {
            let path = template.replace('{', "x").replace('}', "");
            assert!(FormPost::parse(&path).is_some(), "{path} parses");
        }
        assert!(FormPost::parse("/apply/mailbox/nowhere").is_none());
        assert!(FormPost::parse("/service-desk/elsewhere/x").is_none());
    }

    #[test]
    fn a_fixed_address_wins_over_a_captured_one() {
        assert!(matches!(
            FormPost::parse("/service-desk/workflows/new"),
            Some(FormPost::ServiceDesk(ServiceDeskForm::NewWorkflow))
        ));
        assert!(matches!(
            FormPost::parse("/service-desk/workflows/PATH_X"),
            Some(FormPost::ServiceDesk(ServiceDeskForm::Workflow { .. }))
        ));
    }
}
