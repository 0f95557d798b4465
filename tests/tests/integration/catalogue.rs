//! The workflow ID catalogue pages: search, filters, paging, entry pages, errors.

use app::model::catalogue::{SearchRequest, WorkflowStatus};
use mesh_portal_tests::{Backend, spawn_app};

on_each_database!(
    finds_an_id_by_the_beginning_of_it,
    matches_whole_words_in_any_case,
    tolerates_one_typo_in_a_long_word,
    requires_every_word_of_the_query,
    filters_by_group,
    counts_results_and_pages_through_them,
    shows_the_tags_of_programme_rules,
    refuses_overlong_search_text_with_an_error_summary,
    refuses_an_unknown_group_with_an_error_summary,
    shows_an_entry_with_its_acknowledgement_pair,
    answers_an_unknown_workflow_id_with_a_404_page,
    answers_an_unknown_path_with_a_404_page,
    titles_pages_in_the_nhs_style,
    answers_bad_server_function_calls_with_a_400_and_a_message,
);

fn search(q: &str) -> SearchRequest {
    SearchRequest::from_params(Some(q), None, None)
}

async fn finds_an_id_by_the_beginning_of_it(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/workflows?q=CRDL").await;

    assert_eq!(status, 200);
    assert!(page.contains("href=\"/workflows/CRDLGY_SCANS\""), "{page}");
    let results = app.state.catalogue.search(&search("CRDL")).unwrap();
    assert!(
        results
            .items
            .iter()
            .all(|w| w.workflow_id.starts_with("CRDLGY_"))
    );
    assert_eq!(results.total, 10, "5 cardiology IDs and their _ACKs");
}

async fn matches_whole_words_in_any_case(backend: Backend) {
    let app = spawn_app(backend).await;

    let lower = app.state.catalogue.search(&search("pathology")).unwrap();
    let upper = app.state.catalogue.search(&search("PATHOLOGY")).unwrap();
    let (_, page) = app.get_text("/workflows?q=PaThOlOgY").await;

    assert!(lower.total > 0);
    assert_eq!(lower, upper);
    assert!(page.contains("PATH_MEDRPT_V3"));
    assert!(
        page.contains(&format!("{} workflow IDs found", lower.total)),
        "{page}"
    );
}

async fn tolerates_one_typo_in_a_long_word(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/workflows?q=cardiolgy").await;
    let two_typos = app.state.catalogue.search(&search("cardolgy")).unwrap();
    let short_typo = app.state.catalogue.search(&search("ptah")).unwrap();

    assert_eq!(status, 200);
    assert!(page.contains("CRDLGY_SCANS"), "cardiolgy finds Cardiology");
    assert_eq!(two_typos.total, 0, "two typos are too many");
    assert_eq!(
        short_typo.total, 0,
        "words under five letters must be exact or a prefix"
    );
}

async fn requires_every_word_of_the_query(backend: Backend) {
    let app = spawn_app(backend).await;

    let both = app
        .state
        .catalogue
        .search(&search("discharge mental"))
        .unwrap();
    let ids: Vec<&str> = both.items.iter().map(|w| w.workflow_id.as_str()).collect();

    assert_eq!(ids, ["TOC_FHIR_MH_DISCH", "TOC_FHIR_MH_DISCH_ACK"]);
}

async fn filters_by_group(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/workflows?q=&group=Pathology").await;
    let results = app
        .state
        .catalogue
        .search(&SearchRequest::from_params(None, Some("pathology"), None))
        .unwrap();

    assert_eq!(status, 200);
    assert!(page.contains("PATH_MEDRPT_V3"));
    assert!(!page.contains("href=\"/workflows/CRDLGY_SCANS\""));
    assert!(results.items.iter().all(|w| w.group == "Pathology"));
    assert!(
        page.contains("<option value=\"Pathology\" selected"),
        "the filter stays chosen"
    );
}

async fn counts_results_and_pages_through_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let all = app.state.catalogue.search(&search("")).unwrap();

    let (_, first) = app.get_text("/workflows").await;
    let (_, second) = app.get_text("/workflows?page=2").await;
    let (_, beyond) = app.get_text("/workflows?page=999").await;

    assert!(
        all.total >= 150,
        "the seed catalogue has at least 150 entries"
    );
    assert!(all.groups.len() >= 20, "in at least 20 groups");
    assert!(first.contains(&format!("{} workflow IDs found", all.total)));
    assert!(
        first.contains("href=\"/workflows?page=2\""),
        "a link to page 2"
    );
    let first_id = &all.items[0].workflow_id;
    let first_link = format!("href=\"/workflows/{first_id}\"");
    assert!(first.contains(&first_link));
    assert!(!second.contains(&first_link), "page 2 shows other entries");
    assert!(beyond.contains(&format!("page {} of {}", all.page_count, all.page_count)));
}

async fn shows_the_tags_of_programme_rules(backend: Backend) {
    let app = spawn_app(backend).await;

    let (_, hscn) = app.get_text("/workflows?q=NHAIS_REG").await;
    let (_, test_first) = app.get_text("/workflows?q=TOC_FHIR_EC_DISCH").await;
    let (_, retired) = app.get_text("/workflows?q=DISCH_KET").await;

    assert!(hscn.contains("HSCN only"));
    assert!(test_first.contains("Test first"));
    assert!(retired.contains(WorkflowStatus::Retired.label()));
}

async fn refuses_overlong_search_text_with_an_error_summary(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "a".repeat(101);

    let (status, page) = app.get_text(&format!("/workflows?q={long}")).await;

    assert_eq!(status, 400);
    assert!(page.contains("There is a problem"));
    assert!(
        page.contains("href=\"#q\""),
        "the summary links to the field"
    );
    assert!(
        page.contains("id=\"q-error\""),
        "the message sits by the field"
    );
    assert!(page.contains("Search text must be 100 characters or fewer"));
}

async fn refuses_an_unknown_group_with_an_error_summary(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/workflows?group=Astrology").await;

    assert_eq!(status, 400);
    assert!(page.contains("<title>Error: Find a workflow ID – MESH portal – NHS</title>"));
    assert!(page.contains("There is a problem"));
    assert!(page.contains("href=\"#group\""));
    assert!(
        !page.contains("/workflows.csv?group"),
        "no download of a search that failed"
    );
    assert!(page.contains("There is no workflow group called ‘Astrology’"));
}

async fn shows_an_entry_with_its_acknowledgement_pair(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/workflows/TOC_FHIR_EC_DISCH").await;
    let (_, ack) = app.get_text("/workflows/TOC_FHIR_EC_DISCH_ACK").await;

    assert_eq!(status, 200);
    assert!(page.contains("Transfer of Care"));
    assert!(page.contains("href=\"/workflows/TOC_FHIR_EC_DISCH_ACK\""));
    assert!(ack.contains("Acknowledges"));
    let (status, lower) = app.get_text("/workflows/toc_fhir_ec_disch").await;
    assert_eq!(status, 200, "an ID typed in lower case finds its entry");
    assert!(lower.contains("<title>TOC_FHIR_EC_DISCH – MESH portal – NHS</title>"));
    assert!(ack.contains("href=\"/workflows/TOC_FHIR_EC_DISCH\""));
}

async fn answers_an_unknown_workflow_id_with_a_404_page(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/workflows/NO_SUCH_WORKFLOW").await;

    assert_eq!(status, 404);
    assert!(page.contains("Page not found"));
    assert!(page.contains("There is no workflow ID NO_SUCH_WORKFLOW."));
    assert!(page.contains("nhsuk-header"), "in the NHS.UK layout");
}

async fn answers_an_unknown_path_with_a_404_page(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/no/such/page").await;

    assert_eq!(status, 404);
    assert!(page.contains("Page not found"));
}

async fn titles_pages_in_the_nhs_style(backend: Backend) {
    let app = spawn_app(backend).await;

    let (_, home) = app.get_text("/").await;
    let (_, search) = app.get_text("/workflows").await;
    let (_, entry) = app.get_text("/workflows/CRDLGY_SCANS").await;

    assert!(
        home.contains("<title>Home – MESH portal – NHS</title>"),
        "{home}"
    );
    assert!(search.contains("<title>Find a workflow ID – MESH portal – NHS</title>"));
    assert!(entry.contains("<title>CRDLGY_SCANS – MESH portal – NHS</title>"));
    assert!(
        home.contains(
            "<a href=\"#maincontent\" class=\"nhsuk-skip-link\">Skip to main content</a>"
        )
    );
    assert!(home.contains("nhsuk-footer"));
}

async fn answers_bad_server_function_calls_with_a_400_and_a_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let post = |body: String| {
        app.client
            .post(format!("{}/api/search_workflows", app.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let hostile = [
        ("garbage=1".to_owned(), "missing field `request`"),
        (
            format!("request[q]={}&request[page]=1", "a".repeat(1_000_000)),
            "Search text must be 100 characters or fewer",
        ),
        (
            "request[q]=x&request[page]=-1".to_owned(),
            "invalid digit found in string",
        ),
        (
            "request[q]=x&request[group]=%3Cscript%3E&request[page]=1".to_owned(),
            "There is no workflow group called ‘<script>’",
        ),
    ];

    for (body, message) in hostile {
        let response = post(body).await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, 400, "{text}");
        assert!(text.contains(message), "{text}");
    }
    let ok = post("request[q]=cardiology&request[page]=1".to_owned())
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
}
