//! `/organisations?q=&return=`: the ODS code finder. Opened from an application page (`return`),
//! each result links back to it with the ODS code filled in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api::organisations::search_organisations;
use crate::components::{Cell, ErrorSummary, FieldError, HttpStatus, SearchBox};
use crate::model::catalogue::encode_query_value;
use crate::model::organisations::{
    ORGANISATION_RESULTS_MAX, OrganisationResults, ReturnPath, organisation_search_error,
};

const TITLE: &str = "Find an ODS code";

/// The finder page.
#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|m| m.get("q").unwrap_or_default().trim().to_owned()));
    let back =
        Memo::new(move |_| query.with(|m| m.get("return").and_then(|r| ReturnPath::parse(&r))));
    let results = Resource::new(move || q.get(), search_organisations);
    let error = move || q.with(|q| organisation_search_error(q));
    let initial_q = q.get_untracked();
    let search_box = NodeRef::<leptos::html::Input>::new();
    let navigate = use_navigate();
    // With JavaScript, search without reloading the page, to the URL the form would load.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = search_box
            .get_untracked()
            .map(|i| i.value())
            .unwrap_or_default();
        let mut url = format!("/organisations?q={}", encode_query_value(typed.trim()));
        if let Some(back) = back.get_untracked() {
            url.push_str(&format!("&return={}", encode_query_value(back.as_str())));
        }
        navigate(&url, NavigateOptions::default());
    };

    view! {
        <Title text=move || if error().is_some() { format!("Error: {TITLE}") } else { TITLE.to_owned() } />
        {move || error().map(|message| view! {
            <HttpStatus code=400 />
            <ErrorSummary errors=vec![FieldError { field_id: "q".into(), message }] />
        })}
        <h1 class="nhsuk-heading-l">{TITLE}</h1>
        <p>
            "Every organisation that uses MESH has an Organisation Data Service (ODS) code. Search "
            "by the code, the organisation's name or town, or its postcode."
        </p>
        <form method="get" action="/organisations" on:submit=on_submit>
            {move || back.get().map(|back| view! {
                <input type="hidden" name="return" value=back.as_str().to_owned() />
            })}
            <SearchBox
                label="Search organisations"
                hint="For example RR8, Leeds Teaching Hospitals or LS1 3EX"
                initial=initial_q
                error=Signal::derive(error)
                node_ref=search_box
            />
            <button class="nhsuk-button" type="submit">"Search"</button>
        </form>
        <Transition fallback=|| view! { <p class="nhsuk-body">"Searching…"</p> }>
            {move || Suspend::new(async move {
                let searched = !q.get().is_empty() && error().is_none();
                match results.await {
                    Ok(found) if searched => {
                        view! { <Found found back=back.get() /> }.into_any()
                    }
                    Ok(_) => ().into_any(),
                    Err(e) => view! { <p class="nhsuk-body" role="status">{e.to_string()}</p> }
                        .into_any(),
                }
            })}
        </Transition>
    }
}

/// The count and the table of organisations found.
#[component]
fn Found(found: OrganisationResults, back: Option<ReturnPath>) -> impl IntoView {
    let count = match found.total {
        0 => "No organisations found".to_owned(),
        1 => "1 organisation found".to_owned(),
        n if n > ORGANISATION_RESULTS_MAX => {
            format!(
                "{n} organisations found, showing the first {ORGANISATION_RESULTS_MAX}: add words to narrow the search"
            )
        }
        n => format!("{n} organisations found"),
    };
    let choosing = back.is_some();
    let rows = found
        .items
        .into_iter()
        .map(|org| {
            let use_link = back.as_ref().map(|back| {
                let href = back.with_ods_code(&org.ods_code);
                view! {
                    <td class="nhsuk-table__cell">
                        <a href=href>
                            "Use "{org.ods_code.clone()}
                            <span class="nhsuk-u-visually-hidden">{format!(" ({})", org.name)}</span>
                        </a>
                    </td>
                }
            });
            let kind = org.kind.label();
            view! {
                <tr class="nhsuk-table__row">
                    <Cell heading="ODS code">
                        <strong class="app-workflow-id">{org.ods_code}</strong>
                    </Cell>
                    <Cell heading="Name">{org.name}</Cell>
                    <Cell heading="Kind">{kind}</Cell>
                    <Cell heading="Town">{org.town}</Cell>
                    <Cell heading="Postcode">{org.postcode}</Cell>
                    {use_link}
                </tr>
            }
        })
        .collect_view();
    let has_rows = found.total > 0;
    view! {
        <p class="nhsuk-body" role="status" aria-live="polite" id="result-count">
            <strong>{count}</strong>
        </p>
        {has_rows.then(|| view! {
            <table class="nhsuk-table-responsive">
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Matching organisations"</caption>
                <thead class="nhsuk-table__head">
                    <tr class="nhsuk-table__row">
                        <th scope="col" class="nhsuk-table__header">"ODS code"</th>
                        <th scope="col" class="nhsuk-table__header">"Name"</th>
                        <th scope="col" class="nhsuk-table__header">"Kind"</th>
                        <th scope="col" class="nhsuk-table__header">"Town"</th>
                        <th scope="col" class="nhsuk-table__header">"Postcode"</th>
                        {choosing.then(|| view! {
                            <th scope="col" class="nhsuk-table__header">
                                <span class="nhsuk-u-visually-hidden">"Action"</span>
                            </th>
                        })}
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">{rows}</tbody>
            </table>
        })}
        {(!has_rows).then(|| view! {
            <p class="nhsuk-body">
                "Check the code or the spelling, or search by postcode. If your organisation is not "
                "listed, contact the service desk."
            </p>
        })}
    }
}
