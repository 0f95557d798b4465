//! The service desk's care of accounts: find one, lock or unlock it, disable or enable it, or
//! reset its PIN and second factor with a new set-up link. The service desk looks after mailbox
//! users; administrators after everyone; nobody changes their own account here. Every change is
//! audited; a disabled account's sessions stop working at their next request (the guard checks).

use crate::AppState;
use crate::accounts::{activation_link, issue_activation_token};
use crate::applications::emails::render;
use crate::audit::{self, Event, Outcome};
use crate::db::users::{self as repo, UserRow};
use crate::guard::CurrentUser;
use crate::mail::{self, OutgoingMail};
use model::accounts::{Role, UserStatus};
use model::applications::account::MAX_MAILBOXES;
use model::common::MailboxStatus;
use model::error::AppError;
use model::format_time;
use model::service_desk::{UserAction, UserDetail, UserItem};

/// Accounts listed at most.
const LIST_LIMIT: i64 = 200;
/// An account locked by the service desk stays locked until unlocked (a hundred years).
const LOCKED_BY_DESK_SECONDS: i64 = 100 * 365 * 86_400;

fn item(row: &UserRow, now: i64) -> UserItem {
    UserItem {
        user_id: row.user_id.clone(),
        name: row.name.clone(),
        email: row.email.clone(),
        role: row.role.label().to_owned(),
        status: match row.status {
            UserStatus::Invited => "Invited (not set up yet)",
            UserStatus::Active => "Active",
            UserStatus::Disabled => "Disabled",
        }
        .to_owned(),
        locked: row.locked_until.is_some_and(|until| until > now),
    }
}

/// Accounts whose name or email contains `search`.
pub async fn list(state: &AppState, search: &str) -> Result<Vec<UserItem>, AppError> {
    if search.chars().count() > 100 {
        return Err(AppError::invalid(
            "q",
            "Search must be 100 characters or fewer",
        ));
    }
    let mut conn = state.db.pool.acquire().await?;
    let rows = repo::search(&mut conn, search.trim(), LIST_LIMIT).await?;
    let now = state.clock.now();
    Ok(rows.iter().map(|row| item(row, now)).collect())
}

fn may_manage(by: &CurrentUser, target: &UserRow) -> bool {
    by.user_id != target.user_id && (by.role == Role::Admin || target.role == Role::MailboxUser)
}

async fn target(state: &AppState, user_id: &str) -> Result<UserRow, AppError> {
    repo::by_id(&state.db, user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such account".into()))
}

/// One account's page.
pub async fn detail(
    state: &AppState,
    by: &CurrentUser,
    user_id: &str,
) -> Result<UserDetail, AppError> {
    let row = target(state, user_id).await?;
    let mailboxes = repo::mailboxes_of(&state.db, user_id).await?;
    let now = state.clock.now();
    Ok(UserDetail {
        item: item(&row, now),
        second_factor: row
            .second_factor
            .map_or("Not set up".to_owned(), |f| f.label().to_owned()),
        locked_until: row
            .locked_until
            .filter(|until| *until > now)
            .map(format_time),
        mailboxes,
        care_identity: row.cis2_sub.as_ref().map(|sub| match row.cis2_linked_at {
            Some(at) => format!("{sub} (linked {})", format_time(at)),
            None => sub.clone(),
        }),
        local_sign_in: row.signs_in_locally(),
        can_manage: may_manage(by, &row),
        is_self: by.user_id == row.user_id,
    })
}

/// Does `action` to an account (`mailbox_ids`: the mailboxes of
/// [`UserAction::SetMailboxes`]), with its email and audit entry in one transaction.
pub async fn act(
    state: &AppState,
    by: &CurrentUser,
    user_id: &str,
    action: UserAction,
    mailbox_ids: &[String],
) -> Result<(), AppError> {
    let row = target(state, user_id).await?;
    if !may_manage(by, &row) {
        return Err(AppError::Forbidden(if by.user_id == row.user_id {
            "You cannot change your own account here. Ask another member of the service desk".into()
        } else {
            "Only an administrator can change a member of staff's account".into()
        }));
    }
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let mut mails = Vec::new();
    let mut detail = "by the service desk".to_owned();
    match action {
        UserAction::SetMailboxes => {
            let ids = mailbox_ids;
            if row.role != Role::MailboxUser {
                return Err(field_error("Only mailbox users are linked to mailboxes"));
            }
            if ids.len() > MAX_MAILBOXES {
                return Err(field_error(&format!(
                    "Enter at most {MAX_MAILBOXES} Mailbox IDs"
                )));
            }
            for id in ids {
                match crate::db::mailboxes::mailbox_info(&mut tx, id).await? {
                    Some(mailbox) if mailbox.status == MailboxStatus::Active => {}
                    Some(_) => return Err(field_error(&format!("Mailbox {id} is not active"))),
                    None => {
                        return Err(field_error(&format!(
                            "There is no mailbox with the ID {id}"
                        )));
                    }
                }
            }
            repo::unlink_mailboxes(&mut tx, user_id).await?;
            for id in ids {
                repo::link_mailbox(&mut tx, user_id, id).await?;
            }
            detail = format!("by the service desk: mailboxes {}", ids.join(", "));
        }
        UserAction::Lock => repo::lock(&mut tx, user_id, now + LOCKED_BY_DESK_SECONDS).await?,
        UserAction::Unlock => repo::unlock(&mut tx, user_id, now).await?,
        UserAction::Disable => {
            repo::set_status(&mut tx, user_id, UserStatus::Disabled, now).await?;
        }
        UserAction::Enable => {
            // An account never set up goes back to waiting for its set-up, not to active.
            let status = if row.pin_hash.is_some() {
                UserStatus::Active
            } else {
                UserStatus::Invited
            };
            repo::set_status(&mut tx, user_id, status, now).await?;
        }
        UserAction::RemoveCareIdentity => {
            if !repo::unlink_care_identity(&mut tx, user_id, now).await? {
                return Err(AppError::invalid(
                    "action",
                    "This account is not linked to a Care Identity",
                ));
            }
            if let Some(sub) = &row.cis2_sub {
                detail = format!("by the service desk: Care Identity {sub}");
            }
        }
        UserAction::KeepLocal => repo::set_local_sign_in(&mut tx, user_id, true, now).await?,
        UserAction::UseCareIdentity => {
            repo::set_local_sign_in(&mut tx, user_id, false, now).await?
        }
        UserAction::ResetSetUp => {
            repo::forget_set_up(&mut tx, user_id, now).await?;
            let token = issue_activation_token(&mut tx, user_id, now).await?;
            let link = activation_link(&state.config.base_url, &token);
            mails.push(set_up_again(&row, &link));
        }
    }
    for outgoing in &mails {
        mail::enqueue(&mut tx, outgoing, now).await?;
    }
    audit::commit_with(
        tx,
        &state.mailer,
        &by.actor(),
        Event {
            action: match action {
                UserAction::Lock => "user.lock",
                UserAction::Unlock => "user.unlock",
                UserAction::Disable => "user.disable",
                UserAction::Enable => "user.enable",
                UserAction::ResetSetUp => "user.reset_set_up",
                UserAction::SetMailboxes => "user.mailboxes",
                UserAction::RemoveCareIdentity => "user.cis2_unlink",
                UserAction::KeepLocal => "user.local_sign_in",
                UserAction::UseCareIdentity => "user.care_identity_sign_in",
            },
            subject: format!("user:{user_id}"),
            outcome: Outcome::Success,
            detail,
        },
        now,
    )
    .await?;
    Ok(())
}

fn field_error(message: &str) -> AppError {
    AppError::Form(vec![model::forms::FieldError::new("mailbox_ids", message)])
}

/// To the person: their PIN and second factor were reset; the link to set them up again.
fn set_up_again(row: &UserRow, link: &str) -> OutgoingMail {
    let (text, html) = render(
        &[
            format!("Dear {},", row.name),
            "The service desk has reset the PIN and security codes of your MESH portal account, \
             as you asked. Set them up again with this link. It works once, for 72 hours."
                .to_owned(),
        ],
        &[("Set-up link", link.to_owned())],
        &["If you did not ask for this, tell the service desk at once.".to_owned()],
    );
    OutgoingMail {
        to: row.email.clone(),
        subject: "Set up your MESH portal account again".to_owned(),
        text,
        html,
        sensitive: true,
    }
}
