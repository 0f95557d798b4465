//! The HTML document, the site's header and footer, and the router: the one place that lists
//! every page.

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::api::accounts::get_visitor;
use crate::components::NotFoundContent;
use crate::pages::accounts::activate::{ActivateAppPage, ActivatePage};
use crate::pages::accounts::sign_in::{
    CareIdentityReturnPage, SetUpCompletePage, SignInCodePage, SignInMethodPage, SignInPage,
    SignInPinPage, SignOutPage, route_words,
};
use crate::pages::applications::{ApplicationAnswerPage, ApplicationStatusPage};
use crate::pages::apply::*;
use crate::pages::catalogue::{
    WorkflowPage, WorkflowRequestConfirmationPage, WorkflowRequestPage, WorkflowsPage,
};
use crate::pages::home::HomePage;
use crate::pages::messaging::{
    InboxPage, MailboxPage, MailboxesPage, NewMessagePage, SentMessagePage, SentPage,
};
use crate::pages::organisations::OrganisationsPage;
use crate::pages::service_desk::{
    AuditPage, CatalogueAdminPage, DeskMailboxPage, DeskMailboxesPage, ServiceDeskApplicationPage,
    ServiceDeskPage, UserPage, UsersPage, WorkflowEditPage,
};

/// The service's name, as the header and page titles show it.
pub const SERVICE_NAME: &str = "MESH portal";

/// Starts the NHS.UK frontend's scripts (error summary focus, skip link) once the page has loaded.
const NHSUK_INIT: &str = "import { initAll } from '/nhsuk/nhsuk-frontend.min.js';\n\
                          document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');\n\
                          initAll();";

/// The whole HTML document, rendered on the server around [`App`]. Sends the page's Content
/// Security Policy, which lets scripts run only from this site or with this response's nonce.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let nonce = leptos::nonce::use_nonce();
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (&nonce, use_context::<leptos_axum::ResponseOptions>()) {
        // Logging in and out with Care Identity posts a form that leads to its issuer.
        let issuer = use_context::<crate::backend::AppState>()
            .and_then(|state| state.config.care_identity.as_ref().map(|c| c.origin()))
            .unwrap_or_default();
        response.insert_header(
            http::header::CONTENT_SECURITY_POLICY,
            http::HeaderValue::from_str(&content_security_policy(&nonce.to_string(), &issuer))
                .expect("a nonce is base64 and an origin is ASCII"),
        );
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#005eb8" />
                <link rel="icon" href="/assets/images/favicon.ico" sizes="48x48" />
                <link rel="icon" href="/assets/images/favicon.svg" sizes="any" type="image/svg+xml" />
                <link rel="stylesheet" href="/nhsuk/nhsuk-frontend.min.css" />
                <link rel="stylesheet" href="/pkg/mesh-portal.css" />
                <script type="module" nonce=nonce.map(|n| n.to_string()) inner_html=NHSUK_INIT></script>
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// What a page may load: scripts from this site or carrying the response's nonce (Leptos marks
/// its own inline scripts with it), WebAssembly compiled from this site, styles, images and fonts
/// from this site only (nothing from another host: an HSCN-only network may not reach it), and no
/// framing by any other site. Forms post here, and lead only
/// here or to `form_origin` (Care Identity's issuer, when there is one).
pub fn content_security_policy(nonce: &str, form_origin: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self' {form_origin}; \
         frame-ancestors 'none'"
    )
}

/// The application: header, the routed page, footer.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| format!("{text} – {SERVICE_NAME} – NHS") />
        <Router>
            <a class="nhsuk-skip-link" href="#maincontent">"Skip to main content"</a>
            <Header />
            <div class="nhsuk-width-container">
                <main class="nhsuk-main-wrapper" id="maincontent" tabindex="-1">
                    <Routes fallback=|| view! { <NotFoundContent /> }>
                        <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("/workflows") view=WorkflowsPage ssr=SsrMode::Async />
                        <Route path=path!("/organisations") view=OrganisationsPage ssr=SsrMode::Async />
                        <Route path=path!("/workflows/request") view=WorkflowRequestPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/workflows/request/confirmation")
                            view=WorkflowRequestConfirmationPage
                            ssr=SsrMode::Async
                        />
                        <Route
                            path=path!("/workflows/:workflow_id")
                            view=WorkflowPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/apply") view=ApplyPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox") view=MailboxStartPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/organisation") view=MailboxOrganisationPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/environment") view=MailboxEnvironmentPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/workflows") view=MailboxWorkflowsPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/file-size") view=MailboxFileSizePage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/contact") view=MailboxContactPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/check-answers") view=MailboxCheckPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/mailbox/confirmation") view=MailboxConfirmationPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account") view=AccountStartPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/organisation") view=AccountOrganisationPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/mailboxes") view=AccountMailboxesPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/name") view=AccountNamePage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/email") view=AccountEmailPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/access") view=AccountAccessPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/reason") view=AccountReasonPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/check-answers") view=AccountCheckPage ssr=SsrMode::Async />
                        <Route path=path!("/apply/account/confirmation") view=AccountConfirmationPage ssr=SsrMode::Async />
                        <Route path=path!("/applications/:reference") view=ApplicationStatusPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/applications/:reference/answer/:token")
                            view=ApplicationAnswerPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in/method") view=SignInMethodPage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in/pin") view=SignInPinPage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in/code") view=SignInCodePage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in/set-up-complete") view=SetUpCompletePage ssr=SsrMode::Async />
                        <Route path=path!("/sign-in/cis2/callback") view=CareIdentityReturnPage ssr=SsrMode::Async />
                        <Route path=path!("/sign-out") view=SignOutPage ssr=SsrMode::Async />
                        <Route path=path!("/activate/:token") view=ActivatePage ssr=SsrMode::Async />
                        <Route path=path!("/activate/:token/app") view=ActivateAppPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk") view=ServiceDeskPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/audit") view=AuditPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/mailboxes") view=DeskMailboxesPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/mailboxes/:mailbox_id") view=DeskMailboxPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/workflows") view=CatalogueAdminPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/workflows/new") view=WorkflowEditPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/workflows/:workflow_id") view=WorkflowEditPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/users") view=UsersPage ssr=SsrMode::Async />
                        <Route path=path!("/service-desk/users/:user_id") view=UserPage ssr=SsrMode::Async />
                        <Route
                            path=path!("/service-desk/applications/:reference")
                            view=ServiceDeskApplicationPage
                            ssr=SsrMode::Async
                        />
                        <Route path=path!("/mailboxes") view=MailboxesPage ssr=SsrMode::Async />
                        <Route path=path!("/mailboxes/:mailbox_id") view=MailboxPage ssr=SsrMode::Async />
                        <Route path=path!("/mailboxes/:mailbox_id/new") view=NewMessagePage ssr=SsrMode::Async />
                        <Route path=path!("/mailboxes/:mailbox_id/inbox") view=InboxPage ssr=SsrMode::Async />
                        <Route path=path!("/mailboxes/:mailbox_id/sent") view=SentPage ssr=SsrMode::Async />
                        <Route path=path!("/mailboxes/:mailbox_id/sent/:message_id") view=SentMessagePage ssr=SsrMode::Async />
                    </Routes>
                </main>
            </div>
            <Footer />
        </Router>
    }
}

/// The NHS.UK header with the service name and the main navigation.
#[component]
fn Header() -> impl IntoView {
    view! {
        <header class="nhsuk-header" role="banner">
            <div class="nhsuk-header__container nhsuk-width-container">
                <div class="nhsuk-header__service">
                    <a class="nhsuk-header__service-logo" href="/" aria-label="NHS MESH portal homepage">
                        <img
                            class="nhsuk-header__logo"
                            src="/nhsuk/nhs-logo.svg"
                            alt="NHS"
                            width="100"
                            height="40"
                        />
                        <span class="nhsuk-header__service-name">{SERVICE_NAME}</span>
                    </a>
                </div>
                <Account />
            </div>
            <nav class="nhsuk-header__navigation" aria-label="Menu">
                <div class="nhsuk-header__navigation-container nhsuk-width-container">
                    <ul class="nhsuk-header__navigation-list">
                        <NavItem href="/workflows" text="Workflow IDs" />
                        <NavItem href="/organisations" text="ODS codes" />
                        <NavItem href="/apply" text="Apply" />
                    </ul>
                </div>
            </nav>
        </header>
    }
}

/// The header's account area: the access route of this request, and who is signed in with a
/// way to log out, or a way to log in.
#[component]
fn Account() -> impl IntoView {
    let visitor = Resource::new(|| (), |_| get_visitor());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                visitor.await.ok().map(|visitor| {
                    let route = match visitor.route {
                        crate::model::common::AccessRoute::Hscn => "HSCN",
                        crate::model::common::AccessRoute::Internet => "Internet",
                    };
                    view! {
                        <nav class="nhsuk-header__account" aria-label="Account">
                            <ul class="nhsuk-header__account-list">
                                <li class="nhsuk-header__account-item">
                                    <span title=format!("You are connected over {}", route_words(visitor.route))>
                                        <span class="nhsuk-u-visually-hidden">"Connected over "</span>
                                        {route}
                                    </span>
                                </li>
                                {match visitor.user {
                                    Some(user) => view! {
                                        <li class="nhsuk-header__account-item">
                                            <a class="nhsuk-header__account-link" href=user.home.clone()>
                                                {user.name.clone()}
                                            </a>
                                        </li>
                                        <li class="nhsuk-header__account-item">
                                            <form class="nhsuk-header__account-form" method="post" action="/sign-out" novalidate>
                                                <button class="nhsuk-header__account-button" type="submit">"Log out"</button>
                                            </form>
                                        </li>
                                    }
                                    .into_any(),
                                    None => view! {
                                        <li class="nhsuk-header__account-item">
                                            <a class="nhsuk-header__account-link" href="/sign-in">"Log in"</a>
                                        </li>
                                    }
                                    .into_any(),
                                }}
                            </ul>
                        </nav>
                    }
                })
            })}
        </Suspense>
    }
}

/// A link in the header's navigation, marked as current on its page and the pages below it.
#[component]
fn NavItem(href: &'static str, text: &'static str) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let current = move || {
        let path = location.pathname.get();
        path == href || path.starts_with(&format!("{href}/"))
    };
    view! {
        <li
            class="nhsuk-header__navigation-item"
            class:nhsuk-header__navigation-item--current=current
        >
            <a
                class="nhsuk-header__navigation-link"
                href=href
                aria-current=move || current().then_some("page")
            >
                {text}
            </a>
        </li>
    }
}

/// The NHS.UK footer.
#[component]
fn Footer() -> impl IntoView {
    view! {
        <footer class="nhsuk-footer" role="contentinfo">
            <div class="nhsuk-width-container">
                <div class="nhsuk-footer__meta">
                    <h2 class="nhsuk-u-visually-hidden">"Support links"</h2>
                    <ul class="nhsuk-footer__list">
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/workflows">
                                "Workflow ID catalogue"
                            </a>
                        </li>
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/workflows.csv">
                                "Catalogue as CSV"
                            </a>
                        </li>
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/health">
                                "Service status"
                            </a>
                        </li>
                    </ul>
                    <p class="nhsuk-body-s">
                        "mesh-portal is open-source software for running NHS MESH mailboxes."
                    </p>
                </div>
            </div>
        </footer>
    }
}
