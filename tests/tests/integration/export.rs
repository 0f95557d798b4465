//! `/workflows.csv`: the current search as a spreadsheet-safe CSV file.

use mesh_portal_tests::{Backend, seed_folder_with, spawn_app, spawn_app_with};

on_each_database!(
    exports_the_current_search_as_csv,
    neutralises_cells_that_a_spreadsheet_would_run,
    refuses_an_invalid_search_with_a_400,
);

fn read_csv(body: &str) -> Vec<Vec<String>> {
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

async fn exports_the_current_search_as_csv(backend: Backend) {
    let app = spawn_app(backend).await;

    let response = app.get("/workflows.csv?q=cardiology").await;
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    let expected = app
        .state
        .catalogue
        .search_all(&app::model::catalogue::SearchRequest::from_params(
            Some("cardiology"),
            None,
            None,
        ))
        .unwrap();

    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert!(disposition.contains("attachment; filename=\"workflows.csv\""));
    assert!(body.starts_with(
        "workflow_id,group,description,direction,ack_of,status,hscn_only,test_first\n"
    ));
    let rows = read_csv(&body);
    assert_eq!(rows.len(), expected.len());
    assert!(
        rows.iter()
            .any(|r| r[0] == "CRDLGY_SCANS" && r[1] == "Cardiology")
    );
    let (_, all) = app.get_text("/workflows.csv").await;
    assert!(
        read_csv(&all).len() >= 150,
        "no query exports the whole catalogue"
    );
}

async fn neutralises_cells_that_a_spreadsheet_would_run(backend: Backend) {
    let seed = seed_folder_with(concat!(
        "workflow_id,group,description,direction,ack_of,status,hscn_only,test_first\n",
        "FORMULA_TEST,=Group,\"=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",+44 1234,,active,no,no\n",
        "AT_TEST,@Group,@SUM(A1),-1+1,,active,no,no\n",
        "PLAIN_TEST,Plain,Nothing odd = here,,,active,no,no\n",
    ));
    let app = spawn_app_with(
        backend,
        &[("MESH_PORTAL_SEED_DIR", seed.path().to_str().unwrap())],
    )
    .await;

    let (status, body) = app.get_text("/workflows.csv").await;
    let rows = read_csv(&body);

    assert_eq!(status, 200);
    let formula = rows.iter().find(|r| r[0] == "FORMULA_TEST").unwrap();
    assert_eq!(formula[1], "'=Group");
    assert_eq!(formula[2], "'=HYPERLINK(\"http://x\",\"click\")");
    assert_eq!(formula[3], "'+44 1234");
    let at = rows.iter().find(|r| r[0] == "AT_TEST").unwrap();
    assert_eq!(
        (at[1].as_str(), at[2].as_str(), at[3].as_str()),
        ("'@Group", "'@SUM(A1)", "'-1+1")
    );
    let plain = rows.iter().find(|r| r[0] == "PLAIN_TEST").unwrap();
    assert_eq!(
        plain[2], "Nothing odd = here",
        "only the first character matters"
    );
}

async fn refuses_an_invalid_search_with_a_400(backend: Backend) {
    let app = spawn_app(backend).await;

    let (status, body) = app
        .get_text(&format!("/workflows.csv?q={}", "x".repeat(101)))
        .await;
    let (group_status, group_body) = app.get_text("/workflows.csv?group=Nope").await;

    assert_eq!(status, 400);
    assert!(body.contains("Search text must be 100 characters or fewer"));
    assert_eq!(group_status, 400);
    assert!(group_body.contains("There is no workflow group called ‘Nope’"));
}
