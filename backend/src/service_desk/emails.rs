//! The emails a decision sends: mailboxes ready (with their IDs and API passwords), an account
//! ready to set up, a workflow ID added, a rejection with its reason, a question. Plain text and
//! HTML from the same lines, as the application emails are.

use super::issued::IssuedMailbox;
use crate::applications::emails::{Line, render, status_link};
use crate::mail::OutgoingMail;
use model::applications::Reference;
use model::common::Direction;

fn site(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// To the mailbox manager: the Mailbox IDs, environments, API passwords and what to do next.
pub fn mailbox_approved(
    reference: &Reference,
    to: &str,
    organisation_name: &str,
    issued: &[IssuedMailbox],
    workflows: &[(String, String)],
    base_url: &str,
) -> OutgoingMail {
    let mut lines: Vec<Line> = vec![
        ("Reference", reference.to_string()),
        ("Organisation", organisation_name.to_owned()),
    ];
    for mailbox in issued {
        let environment = mailbox.environment.label();
        lines.push((
            "Mailbox ID",
            format!("{} ({environment})", mailbox.mailbox_id),
        ));
        lines.push(("MESH API password", mailbox.api_password.clone()));
    }
    lines.push((
        "Workflows",
        workflows
            .iter()
            .map(|(id, direction)| {
                let words = Direction::parse(direction).map_or(direction.as_str(), |d| d.label());
                format!("{id} ({})", words.to_lowercase())
            })
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    let (text, html) = render(
        &[
            format!("Your MESH mailbox application {reference} has been approved."),
            "Your Mailbox IDs are below, one for each environment, with the password each \
             mailbox uses with the MESH API. Keep the passwords safe: this is the only time we \
             send them. The service desk can set a new one if one is lost."
                .to_owned(),
        ],
        &lines,
        &[
            format!(
                "People who will send and collect files on the MESH portal need their own \
                 account. They can apply for one at {}/apply/account with your ODS code and \
                 these Mailbox IDs.",
                site(base_url)
            ),
            format!("MESH portal: {}", site(base_url)),
        ],
    );
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Your MESH mailbox is ready: {reference}"),
        text,
        html,
        sensitive: true,
    }
}

/// To the applicant: their account is ready, and the one-time link to set it up.
pub fn account_approved(
    reference: &Reference,
    to: &str,
    first_name: &str,
    link: &str,
) -> OutgoingMail {
    let (text, html) = render(
        &[
            format!("Dear {first_name},"),
            format!("Your MESH UI account application {reference} has been approved."),
            "Set up your account with this link. You will create a PIN and set up an \
             authenticator app (or, over HSCN, codes by email). The link works once, for 72 \
             hours."
                .to_owned(),
        ],
        &[("Set-up link", link.to_owned())],
        &["If the link has expired, ask the service desk for a new one.".to_owned()],
    );
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Set up your MESH portal account: {reference}"),
        text,
        html,
        sensitive: true,
    }
}

/// To the requester: the workflow ID is in the catalogue.
pub fn workflow_added(
    reference: &Reference,
    to: &str,
    workflow_id: &str,
    base_url: &str,
) -> OutgoingMail {
    let (text, html) = render(
        &[format!(
            "Your workflow ID request {reference} has been approved: {workflow_id} is now in \
             the workflow ID catalogue."
        )],
        &[
            ("Workflow ID", workflow_id.to_owned()),
            (
                "Catalogue entry",
                format!("{}/workflows/{workflow_id}", site(base_url)),
            ),
        ],
        &[
            "Mailboxes that will send or receive it need it added to their registrations: \
           ask the service desk."
                .to_owned(),
        ],
    );
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Workflow ID added: {workflow_id}"),
        text,
        html,
        sensitive: false,
    }
}

/// To the applicant: the application was rejected, and why.
pub fn rejected(reference: &Reference, to: &str, reason: &str, base_url: &str) -> OutgoingMail {
    let (text, html) = render(
        &[format!(
            "We could not approve your application {reference}."
        )],
        &[("Reason", reason.to_owned())],
        &[
            "If you can fix what the reason describes, you are welcome to apply again.".to_owned(),
            format!("Your application: {}", status_link(base_url, reference)),
        ],
    );
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("Your application {reference} was not approved"),
        text,
        html,
        sensitive: false,
    }
}

/// To the applicant: a question from the service desk, and the link to answer it.
pub fn question(
    reference: &Reference,
    to: &str,
    question: &str,
    link: &str,
    base_url: &str,
) -> OutgoingMail {
    let (text, html) = render(
        &[format!(
            "The service desk needs more information before it can decide on your application \
             {reference}."
        )],
        &[
            ("Question", question.to_owned()),
            ("Answer here", link.to_owned()),
        ],
        &[
            "The link works once. The time we take to decide does not count while we wait for \
             your answer."
                .to_owned(),
            format!("Your application: {}", status_link(base_url, reference)),
        ],
    );
    OutgoingMail {
        to: to.to_owned(),
        subject: format!("More information needed: {reference}"),
        text,
        html,
        sensitive: true,
    }
}
