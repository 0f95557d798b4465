//! Routes that are not Leptos pages, by concern: the middleware every request passes, `/health`,
//! the CSV exports, the form posts of pages used without JavaScript, and files sent and
//! downloaded through the pages.

mod exports;
mod files;
mod forms;
mod health;
mod middleware;

pub use exports::{audit_csv, workflows_csv};
pub use files::{content_disposition, download_message, send_message};
pub use forms::{care_identity_callback, care_identity_logout, post_form, post_status};
pub use health::health;
pub use middleware::{
    access_route, close_after_too_large, loggable_path, request_span, same_site_only,
    server_fn_error_status,
};

/// A page without the application around it (for refusals made before or instead of rendering
/// one): plain HTML with the NHS.UK styles. `body` is HTML; callers escape what they put in it.
pub(crate) fn plain_page(heading: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} – MESH portal – NHS</title>
<link rel="stylesheet" href="/nhsuk/nhsuk-frontend.min.css">
</head>
<body>
<div class="nhsuk-width-container">
<main class="nhsuk-main-wrapper" id="maincontent">
<h1 class="nhsuk-heading-l">{heading}</h1>
{body}
</main>
</div>
</body>
</html>
"#
    )
}
