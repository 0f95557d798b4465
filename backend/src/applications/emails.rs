//! The emails an application sends: a confirmation to the applicant with the reference and a
//! summary, and a notification to the service desk. Each has a plain text and an HTML part made
//! from the same lines; everything the applicant typed is escaped in the HTML.

use crate::mail::{OutgoingMail, html_escape};
use model::applications::Reference;
use model::applications::account::AccountDraft;
use model::applications::mailbox::MailboxDraft;
use model::applications::workflow_request::WorkflowRequest;

/// A summary line: a label and its answer.
pub(crate) type Line = (&'static str, String);

pub(crate) fn status_link(base_url: &str, reference: &Reference) -> String {
    format!(
        "{}/applications/{reference}",
        base_url.trim_end_matches('/')
    )
}

pub(crate) fn render(intro: &[String], lines: &[Line], outro: &[String]) -> (String, String) {
    let mut text = String::new();
    for paragraph in intro {
        text.push_str(paragraph);
        text.push_str("\n\n");
    }
    for (label, value) in lines {
        text.push_str(&format!("{label}: {value}\n"));
    }
    for paragraph in outro {
        text.push('\n');
        text.push_str(paragraph);
        text.push('\n');
    }
    let mut html = String::from(
        "<!doctype html><html lang=\"en\"><body style=\"font-family: Arial, sans-serif\">",
    );
    for paragraph in intro {
        html.push_str(&format!("<p>{}</p>", html_escape(paragraph)));
    }
    html.push_str("<table>");
    for (label, value) in lines {
        html.push_str(&format!(
            "<tr><th style=\"text-align:left;padding-right:1em\">{}</th><td>{}</td></tr>",
            html_escape(label),
            html_escape(value).replace('\n', "<br>")
        ));
    }
    html.push_str("</table>");
    for paragraph in outro {
        html.push_str(&format!("<p>{}</p>", html_escape(paragraph)));
    }
    html.push_str("</body></html>");
    (text, html)
}

fn pair(
    reference: &Reference,
    what: &str,
    applicant: &str,
    lines: &[Line],
    service_desk: &str,
    base_url: &str,
) -> Vec<OutgoingMail> {
    let link = status_link(base_url, reference);
    let (text, html) = render(
        &[
            format!("We have received your {what}. Your reference is {reference}."),
            "Keep this reference: you need it, with this email address, to check the progress \
             of your application."
                .to_owned(),
        ],
        lines,
        &[
            format!("Check its progress: {link}"),
            "The service desk aims to decide within 5 working days. If it needs more \
             information, it will email you."
                .to_owned(),
        ],
    );
    let confirmation = OutgoingMail {
        to: applicant.to_owned(),
        subject: format!("Your {what}: {reference}"),
        text,
        html,
        sensitive: false,
    };
    let (text, html) = render(
        &[format!("A new {what} has arrived: {reference}.")],
        lines,
        &[format!("Applicant's status page: {link}")],
    );
    let notification = OutgoingMail {
        to: service_desk.to_owned(),
        subject: format!("New {what}: {reference}"),
        text,
        html,
        sensitive: false,
    };
    vec![confirmation, notification]
}

pub fn mailbox(
    reference: &Reference,
    draft: &MailboxDraft,
    service_desk: &str,
    base_url: &str,
) -> Vec<OutgoingMail> {
    let mut lines: Vec<Line> = vec![("Reference", reference.to_string())];
    if let Some(organisation) = &draft.organisation {
        lines.push((
            "Organisation",
            format!("{} ({})", organisation.name, organisation.ods_code),
        ));
    }
    if let Some(third) = &draft.third_party {
        lines.push(("Managed by", format!("{} ({})", third.name, third.ods_code)));
    }
    lines.push((
        "Environments",
        draft
            .environments
            .iter()
            .map(|e| e.label())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    lines.push((
        "Workflows",
        draft
            .workflows
            .iter()
            .map(|w| format!("{} ({})", w.workflow_id, w.direction.label().to_lowercase()))
            .collect::<Vec<_>>()
            .join("\n"),
    ));
    if let Some(size) = draft.file_size {
        lines.push(("Largest file", size.label().to_owned()));
    }
    let applicant = match &draft.contact {
        Some(contact) => {
            lines.push((
                "Mailbox manager",
                format!("{}, {}, {}", contact.name, contact.email, contact.phone),
            ));
            contact.email.clone()
        }
        None => String::new(),
    };
    pair(
        reference,
        "MESH mailbox application",
        &applicant,
        &lines,
        service_desk,
        base_url,
    )
}

pub fn account(
    reference: &Reference,
    draft: &AccountDraft,
    service_desk: &str,
    base_url: &str,
) -> Vec<OutgoingMail> {
    let mut lines: Vec<Line> = vec![("Reference", reference.to_string())];
    if let Some(organisation) = &draft.organisation {
        lines.push((
            "Organisation",
            format!("{} ({})", organisation.name, organisation.ods_code),
        ));
    }
    lines.push(("Mailbox IDs", draft.mailbox_ids.join(", ")));
    lines.push((
        "Name",
        format!(
            "{} {}",
            draft.first_name.as_deref().unwrap_or_default(),
            draft.last_name.as_deref().unwrap_or_default()
        ),
    ));
    if let Some(route) = draft.access_route {
        lines.push(("Connects through", route.label().to_owned()));
    }
    if let Some(reason) = &draft.reason {
        lines.push(("Reason for access", reason.clone()));
    }
    let applicant = draft.email.clone().unwrap_or_default();
    pair(
        reference,
        "MESH UI account application",
        &applicant,
        &lines,
        service_desk,
        base_url,
    )
}

pub fn workflow_request(
    reference: &Reference,
    request: &WorkflowRequest,
    service_desk: &str,
    base_url: &str,
) -> Vec<OutgoingMail> {
    let group = if request.new_group {
        format!("{} (new group)", request.group_name)
    } else {
        request.group_name.clone()
    };
    let lines: Vec<Line> = vec![
        ("Reference", reference.to_string()),
        ("Proposed workflow ID", request.proposed_id.clone()),
        ("Group", group),
        ("Description", request.description.clone()),
        (
            "Sending organisations",
            request.sending_organisations.clone(),
        ),
        (
            "Receiving organisations",
            request.receiving_organisations.clone(),
        ),
        ("Requested by", request.requester_name.clone()),
    ];
    pair(
        reference,
        "workflow ID request",
        &request.requester_email,
        &lines,
        service_desk,
        base_url,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::applications::mailbox::{Contact, NamedOrganisation};

    #[test]
    fn escapes_what_the_applicant_typed_in_the_html_part_only() {
        let reference = Reference::parse("MBX-7Q4K-2XHD").unwrap();
        let draft = MailboxDraft {
            organisation: Some(NamedOrganisation {
                ods_code: "X26".into(),
                name: "<script>alert(1)</script>".into(),
            }),
            contact: Some(Contact {
                name: "Sam".into(),
                email: "sam@nhs.net".into(),
                phone: "01134960000".into(),
            }),
            ..MailboxDraft::default()
        };
        let mails = mailbox(&reference, &draft, "desk@nhs.net", "http://x/");
        assert_eq!(mails.len(), 2);
        assert_eq!(mails[0].to, "sam@nhs.net");
        assert_eq!(mails[1].to, "desk@nhs.net");
        assert!(mails[0].subject.contains("MBX-7Q4K-2XHD"));
        assert!(mails[0].text.contains("<script>alert(1)</script>"));
        assert!(!mails[0].html.contains("<script>"));
        assert!(mails[0].html.contains("&lt;script&gt;"));
        assert!(
            mails[0]
                .text
                .contains("http://x/applications/MBX-7Q4K-2XHD")
        );
    }
}
