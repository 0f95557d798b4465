//! Signing in with NHS Care Identity: who a verified identity is in this service, and whether
//! they may come in on this route. The first login links the identity to the account with the
//! same work email address (and, where the account application gave one, the same smartcard
//! number); after that the link alone counts. Over HSCN the login must be a smartcard's
//! (assurance level 3) and, for a mailbox user, carry a role with activity code R8015 at the
//! organisation of one of their mailboxes; over the internet an authenticator's (level 2) is
//! enough. What was checked is in the audit entry of each login, accepted or not.

use super::care_identity::{Identity, NrbacRole};
use super::repo::{self, UserRow};
use crate::audit::{self, Actor, Event, Outcome};
use crate::db::Db;
use model::accounts::{Role, UserStatus};
use model::common::AccessRoute;

/// The activity code MESH UI access needs on a smartcard role.
pub const MESH_ACTIVITY_CODE: &str = "R8015";

/// Why a verified identity may not sign in: each says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum CareRefusal {
    #[error(
        "There is no MESH UI account for {0}. Apply for a MESH UI account, or ask the service \
         desk to put this email address on yours"
    )]
    Unknown(String),
    #[error(
        "Your Care Identity has no email address, so it cannot be matched to a MESH UI account. \
         Ask your Registration Authority to add your work email address to it"
    )]
    NoEmail,
    #[error(
        "The MESH UI account for this email address is linked to another Care Identity. Ask the \
         service desk to check it"
    )]
    LinkedToAnother,
    #[error(
        "The smartcard number on your MESH UI account is not the one on your Care Identity. Ask \
         the service desk to correct it"
    )]
    SmartcardMismatch,
    #[error("Your MESH UI account is disabled. Contact the service desk")]
    Disabled,
    #[error("Your account is locked. Try again after {}", model::format_time(*.0))]
    Locked(i64),
    #[error(
        "Over HSCN, log in with your smartcard (assurance level 3). This login was level {0}: \
         put your smartcard in the reader and log in again"
    )]
    SmartcardNeeded(u8),
    #[error(
        "Log in with your smartcard or an authenticator app (assurance level 2 or above). This \
         login was level {0}"
    )]
    LevelTooLow(u8),
    #[error(
        "Your smartcard role does not have the R8015 activity code at {0}, which MESH needs. Ask \
         your Registration Authority manager to add R8015 to your role, then log in again"
    )]
    NoMeshActivity(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Someone let in through Care Identity.
#[derive(Debug, Clone)]
pub struct CareSignedIn {
    pub user_id: String,
    pub role: Role,
    pub mailboxes: Vec<String>,
}

/// Who `identity` is here and whether they may sign in over `route`; links the identity at its
/// first login. Audited either way.
pub async fn with_care_identity(
    db: &Db,
    identity: &Identity,
    route: AccessRoute,
    actor: &Actor,
    now: i64,
) -> Result<CareSignedIn, CareRefusal> {
    let found = account_of(db, identity).await;
    let (user, first_login) = match found {
        Ok(found) => found,
        Err(refusal) => {
            refuse(
                db,
                actor,
                &format!("cis2:{}", identity.sub),
                identity,
                route,
                &refusal,
                now,
            )
            .await?;
            return Err(refusal);
        }
    };
    let subject = format!("user:{}", user.user_id);
    let mailboxes =
        crate::db::applications::mailboxes_of_user(&mut *db.pool.acquire().await?, &user.user_id)
            .await?;
    let orgs: Vec<String> = mailboxes.iter().map(|m| m.ods_code.clone()).collect();
    let checked = may_sign_in(&user, identity, route, &orgs, now);
    let role_used = match checked {
        Ok(role_used) => role_used,
        Err(refusal) => {
            refuse(db, actor, &subject, identity, route, &refusal, now).await?;
            return Err(refusal);
        }
    };
    // Everything the login changes, in one transaction: nothing of a refused one is kept.
    let mut tx = db.begin().await?;
    if first_login {
        link(&mut tx, &user, identity, actor, now).await?;
    }
    if user.status == UserStatus::Invited {
        // Care Identity stands for the set-up link's PIN and second factor.
        repo::set_status(&mut tx, &user.user_id, UserStatus::Active, now).await?;
    }
    let detail = format!(
        "{}; route {}",
        checks(identity, role_used.as_ref()),
        route.as_str()
    );
    audit::record(
        &mut tx,
        actor,
        Event {
            action: "sign_in.cis2",
            subject,
            outcome: Outcome::Success,
            detail,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user.id = %user.user_id, access.route = route.as_str(), level = identity.level, "signed in with Care Identity");
    Ok(CareSignedIn {
        user_id: user.user_id,
        role: user.role,
        mailboxes: mailboxes.into_iter().map(|m| m.mailbox_id).collect(),
    })
}

/// The account an identity is: by its link, or (`true`: the first time, to be linked) by email
/// address and smartcard number.
async fn account_of(db: &Db, identity: &Identity) -> Result<(UserRow, bool), CareRefusal> {
    if let Some(user) = repo::by_care_identity(db, &identity.sub).await? {
        return Ok((user, false));
    }
    let email = identity.email.as_deref().ok_or(CareRefusal::NoEmail)?;
    let user = repo::by_email(db, email)
        .await?
        .ok_or_else(|| CareRefusal::Unknown(email.to_owned()))?;
    if user.cis2_sub.is_some() {
        return Err(CareRefusal::LinkedToAnother);
    }
    if let Some(card) = &user.smartcard_number
        && identity.uid.as_deref() != Some(card.as_str())
    {
        return Err(CareRefusal::SmartcardMismatch);
    }
    Ok((user, true))
}

/// Links the identity to the account at its first accepted login, audited.
async fn link(
    tx: &mut sqlx::AnyConnection,
    user: &UserRow,
    identity: &Identity,
    actor: &Actor,
    now: i64,
) -> Result<(), CareRefusal> {
    if !repo::link_care_identity(&mut *tx, &user.user_id, &identity.sub, now).await? {
        return Err(CareRefusal::LinkedToAnother);
    }
    audit::record(
        tx,
        actor,
        Event {
            action: "user.cis2_link",
            subject: format!("user:{}", user.user_id),
            outcome: Outcome::Success,
            detail: format!(
                "Care Identity {} by email{}",
                identity.sub,
                if user.smartcard_number.is_some() {
                    " and smartcard number"
                } else {
                    ""
                }
            ),
        },
        now,
    )
    .await?;
    tracing::info!(user.id = %user.user_id, "account linked to a Care Identity");
    Ok(())
}

/// The rules of the route; the role that carried R8015, when one had to.
fn may_sign_in(
    user: &UserRow,
    identity: &Identity,
    route: AccessRoute,
    mailbox_orgs: &[String],
    now: i64,
) -> Result<Option<NrbacRole>, CareRefusal> {
    if user.status == UserStatus::Disabled {
        return Err(CareRefusal::Disabled);
    }
    if let Some(until) = user.locked_until.filter(|until| *until > now) {
        return Err(CareRefusal::Locked(until));
    }
    match route {
        AccessRoute::Internet if identity.level < 2 => {
            Err(CareRefusal::LevelTooLow(identity.level))
        }
        AccessRoute::Internet => Ok(None),
        AccessRoute::Hscn if identity.level < 3 => {
            Err(CareRefusal::SmartcardNeeded(identity.level))
        }
        // Staff work the service desk, not a mailbox: the smartcard is enough.
        AccessRoute::Hscn if user.role != Role::MailboxUser => Ok(None),
        AccessRoute::Hscn => identity
            .roles
            .iter()
            .find(|role| {
                mailbox_orgs.contains(&role.org_code)
                    && role.activity_codes.iter().any(|c| c == MESH_ACTIVITY_CODE)
            })
            .cloned()
            .map(Some)
            .ok_or_else(|| {
                let mut orgs = mailbox_orgs.to_vec();
                orgs.sort_unstable();
                orgs.dedup();
                CareRefusal::NoMeshActivity(if orgs.is_empty() {
                    "the organisation of a mailbox of yours".to_owned()
                } else {
                    orgs.join(" or ")
                })
            }),
    }
}

/// What was checked, for the audit log.
fn checks(identity: &Identity, role: Option<&NrbacRole>) -> String {
    let mut text = format!(
        "Care Identity {}, level {} ({})",
        identity.sub, identity.level, identity.acr
    );
    if let Some(role) = role {
        text.push_str(&format!(
            ", {MESH_ACTIVITY_CODE} in role {} ({}) at {}",
            role.role_code, role.role_name, role.org_code
        ));
    }
    text
}

async fn refuse(
    db: &Db,
    actor: &Actor,
    subject: &str,
    identity: &Identity,
    route: AccessRoute,
    refusal: &CareRefusal,
    now: i64,
) -> Result<(), sqlx::Error> {
    if let CareRefusal::Database(_) = refusal {
        return Ok(());
    }
    tracing::info!(reason = %refusal, "a Care Identity login was refused");
    let mut conn = db.pool.acquire().await?;
    audit::record(
        &mut conn,
        actor,
        Event {
            action: "sign_in.cis2",
            subject: subject.to_owned(),
            outcome: Outcome::Failure,
            detail: format!(
                "{}; route {}; {refusal}",
                checks(identity, None),
                route.as_str()
            ),
        },
        now,
    )
    .await
}

/// Takes a back-channel logout from Care Identity: the token checked, the logout noted (every
/// instance's guard ends the sessions it names at their next request) and audited.
pub async fn logged_out_at_issuer(
    db: &Db,
    care_identity: &super::care_identity::CareIdentity,
    token: &str,
    now: i64,
) -> Result<(), String> {
    let logged_out = match care_identity.logged_out(token, now).await {
        Ok(logged_out) => logged_out,
        Err(reason) => {
            tracing::warn!(%reason, "a back-channel logout token was refused");
            return Err(reason);
        }
    };
    let mut tx = db.begin().await.map_err(|e| e.to_string())?;
    repo::record_care_identity_logout(
        &mut tx,
        logged_out.sub.as_deref(),
        logged_out.sid.as_deref(),
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    audit::record(
        &mut tx,
        &Actor::system(),
        Event {
            action: "sign_out.cis2_backchannel",
            subject: format!("cis2:{}", logged_out.sub.as_deref().unwrap_or("unknown")),
            outcome: Outcome::Success,
            detail: logged_out
                .sid
                .map(|sid| format!("issuer session {sid}"))
                .unwrap_or_default(),
        },
        now,
    )
    .await
    .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(level: u8, roles: Vec<NrbacRole>) -> Identity {
        Identity {
            sub: "sub-1".into(),
            uid: Some("555000000001".into()),
            email: Some("a@nhs.net".into()),
            name: None,
            acr: format!("AAL{level}"),
            level,
            roles,
            sid: None,
            id_token: String::new(),
        }
    }

    fn user(role: Role) -> UserRow {
        UserRow {
            user_id: "usr_1".into(),
            email: "a@nhs.net".into(),
            name: "A".into(),
            role,
            status: UserStatus::Active,
            pin_hash: None,
            second_factor: None,
            totp_secret: None,
            totp_last_step: None,
            smartcard_number: None,
            failed_attempts: 0,
            locked_until: None,
            cis2_sub: None,
            cis2_linked_at: None,
            local_sign_in: 0,
        }
    }

    fn role(org: &str, codes: &[&str]) -> NrbacRole {
        NrbacRole {
            org_code: org.into(),
            role_code: "S8000:G8000:R8001".into(),
            role_name: "Nurse".into(),
            activity_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn over_hscn_a_mailbox_user_needs_a_smartcard_and_r8015_at_a_mailbox_organisation() {
        let orgs = vec!["X26".to_owned()];
        let with = identity(
            3,
            vec![role("RR8", &["R8015"]), role("X26", &["B0360", "R8015"])],
        );
        let used = may_sign_in(&user(Role::MailboxUser), &with, AccessRoute::Hscn, &orgs, 0)
            .unwrap()
            .unwrap();
        assert_eq!(used.org_code, "X26");

        let elsewhere = identity(3, vec![role("RR8", &["R8015"])]);
        let refused = may_sign_in(
            &user(Role::MailboxUser),
            &elsewhere,
            AccessRoute::Hscn,
            &orgs,
            0,
        );
        assert!(matches!(refused, Err(CareRefusal::NoMeshActivity(ref at)) if at == "X26"));

        let authenticator = identity(2, vec![role("X26", &["R8015"])]);
        let refused = may_sign_in(
            &user(Role::MailboxUser),
            &authenticator,
            AccessRoute::Hscn,
            &orgs,
            0,
        );
        assert!(matches!(refused, Err(CareRefusal::SmartcardNeeded(2))));
    }

    #[test]
    fn over_the_internet_an_authenticator_is_enough_and_a_password_is_not() {
        let orgs = vec!["X26".to_owned()];
        let user = user(Role::MailboxUser);
        assert!(may_sign_in(&user, &identity(2, vec![]), AccessRoute::Internet, &orgs, 0).is_ok());
        assert!(matches!(
            may_sign_in(&user, &identity(1, vec![]), AccessRoute::Internet, &orgs, 0),
            Err(CareRefusal::LevelTooLow(1))
        ));
    }

    #[test]
    fn staff_need_a_smartcard_over_hscn_but_no_mailbox_activity() {
        let staff = user(Role::ServiceDesk);
        assert!(may_sign_in(&staff, &identity(3, vec![]), AccessRoute::Hscn, &[], 0).is_ok());
    }

    #[test]
    fn a_disabled_or_locked_account_is_refused_whatever_the_login() {
        let mut disabled = user(Role::MailboxUser);
        disabled.status = UserStatus::Disabled;
        assert!(matches!(
            may_sign_in(
                &disabled,
                &identity(3, vec![]),
                AccessRoute::Internet,
                &[],
                0
            ),
            Err(CareRefusal::Disabled)
        ));
        let mut locked = user(Role::MailboxUser);
        locked.locked_until = Some(100);
        assert!(matches!(
            may_sign_in(
                &locked,
                &identity(3, vec![]),
                AccessRoute::Internet,
                &[],
                50
            ),
            Err(CareRefusal::Locked(100))
        ));
    }
}
