//! The ODS code finder and the organisations seed file.

use app::backend::organisations;
use mesh_portal_tests::{Backend, TestApp, seed_dir, spawn_app};
use server::startup::sync_seed_data;

on_each_database!(
    finds_an_organisation_by_its_ods_code_in_any_case,
    finds_organisations_by_the_words_of_their_name_or_town,
    finds_an_organisation_by_postcode_with_or_without_the_space,
    links_back_to_the_application_with_the_code_filled_in,
    never_links_back_to_another_site,
    refuses_overlong_search_text_with_an_error_summary,
    loads_the_organisations_seed_file_and_reports_bad_rows,
);

async fn codes(app: &TestApp, q: &str) -> Vec<String> {
    organisations::search(&app.state.db, q)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|o| o.ods_code)
        .collect()
}

async fn finds_an_organisation_by_its_ods_code_in_any_case(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app.get_text("/organisations?q=rr8").await;
    let prefix = codes(&app, "RR").await;

    assert_eq!(status, 200);
    assert!(
        page.contains("Leeds Teaching Hospitals NHS Trust"),
        "{page}"
    );
    assert_eq!(
        codes(&app, " Rr8 ").await[0],
        "RR8",
        "the exact code comes first"
    );
    for code in ["RR8", "RRK", "RRU", "RRV"] {
        assert!(
            prefix.contains(&code.to_owned()),
            "RR finds {code}: {prefix:?}"
        );
    }
}

async fn finds_organisations_by_the_words_of_their_name_or_town(backend: Backend) {
    let app = spawn_app(backend).await;

    let leeds_teaching = codes(&app, "leeds TEACHING").await;
    let manchester = codes(&app, "manchester").await;
    let nothing = codes(&app, "leeds astrology").await;

    assert_eq!(leeds_teaching, ["RR8"]);
    assert!(manchester.contains(&"R0A".to_owned()), "by name");
    assert!(
        manchester.contains(&"RBV".to_owned()),
        "The Christie, by town"
    );
    assert!(nothing.is_empty(), "every word must match");
}

async fn finds_an_organisation_by_postcode_with_or_without_the_space(backend: Backend) {
    let app = spawn_app(backend).await;
    let text = std::fs::read_to_string(seed_dir().join("organisations.csv")).unwrap();
    let row = text.lines().find(|l| l.contains(",gp_practice,")).unwrap();
    let fields: Vec<&str> = row.split(',').collect();
    let (code, postcode) = (fields[0], fields[3]);

    for typed in [
        postcode.to_owned(),
        postcode.replace(' ', "").to_lowercase(),
    ] {
        let found = codes(&app, &typed).await;
        assert!(
            found.contains(&code.to_owned()),
            "{typed} finds {code}: {found:?}"
        );
    }
    let outward = postcode.split(' ').next().unwrap();
    assert!(
        codes(&app, outward).await.contains(&code.to_owned()),
        "the outward code alone"
    );
}

async fn links_back_to_the_application_with_the_code_filled_in(backend: Backend) {
    let app = spawn_app(backend).await;

    let (_, page) = app
        .get_text("/organisations?q=RR8&return=/apply/mailbox/organisation")
        .await;

    assert!(
        page.contains("href=\"/apply/mailbox/organisation?ods_code=RR8\""),
        "{page}"
    );
    assert!(
        page.contains("name=\"return\" value=\"/apply/mailbox/organisation\""),
        "the form keeps it"
    );
}

async fn never_links_back_to_another_site(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app
        .get_text("/organisations?q=RR8&return=https://evil.example/apply/")
        .await;

    assert_eq!(status, 200);
    assert!(page.contains("Leeds Teaching Hospitals NHS Trust"));
    assert!(!page.contains("evil.example"));
    assert!(!page.contains("ods_code=RR8"));
}

async fn refuses_overlong_search_text_with_an_error_summary(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, page) = app
        .get_text(&format!("/organisations?q={}", "x".repeat(101)))
        .await;

    assert_eq!(status, 400);
    assert!(page.contains("<title>Error: Find an ODS code – MESH portal – NHS</title>"));
    assert!(page.contains("There is a problem"));
    assert!(page.contains("href=\"#q\""));
    assert!(page.contains("Search text must be 100 characters or fewer"));
}

async fn loads_the_organisations_seed_file_and_reports_bad_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let seed = tempfile::tempdir().unwrap();
    std::fs::write(
        seed.path().join("organisations.csv"),
        "ods_code,name,kind,postcode,town\n\
         ZZ901,Good Practice (example),gp_practice,ls1 4ap,Leeds\n\
         zz902,Lower Case (example),gp_practice,,\n\
         ZZ903,,gp_practice,,\n\
         ZZ904,Odd Kind (example),hospital,,\n\
         ZZ901,Twice (example),gp_practice,,\n\
         Z-9,Bad Code (example),other,,\n",
    )
    .unwrap();

    let report = sync_seed_data(&app.state.db, seed.path())
        .await
        .unwrap()
        .organisations;

    let reasons: Vec<(u64, String)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.reason.clone()))
        .collect();
    assert_eq!(
        reasons,
        [
            (3, "ods_code ‘zz902’: must be in capital letters".to_owned()),
            (4, "ZZ903: the name is empty".to_owned()),
            (
                5,
                "ZZ904: unknown kind ‘hospital’ (use nhs_trust, icb, gp_practice, pharmacy, \
                 local_authority, other)"
                    .to_owned()
            ),
            (6, "duplicate ODS code ZZ901 (first on line 2)".to_owned()),
            (
                7,
                "ods_code ‘Z-9’: ODS code must only include letters and numbers".to_owned()
            ),
        ]
    );
    assert_eq!(report.inserted, 1);
    let found = organisations::search(&app.state.db, "LS14AP")
        .await
        .unwrap();
    assert_eq!(found.items[0].ods_code, "ZZ901");
    assert_eq!(found.items[0].postcode, "LS1 4AP", "stored upper-case");
    let again = sync_seed_data(&app.state.db, seed.path())
        .await
        .unwrap()
        .organisations;
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, 1));
}
