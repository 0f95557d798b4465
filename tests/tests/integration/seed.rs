//! The seed sync: idempotent, updates edited rows, reports bad rows and loads the rest.

use app::backend::seed::SeedReport;
use app::model::catalogue::SearchRequest;
use mesh_portal_tests::{Backend, seed_dir, seed_folder_with, spawn_app, spawn_app_with};
use server::startup::sync_seed_data;

on_each_database!(
    loads_the_whole_seed_file_at_start_up,
    changes_nothing_when_run_again,
    updates_a_row_that_was_edited,
    reports_bad_rows_with_file_line_and_reason_and_loads_the_rest,
    falls_back_to_the_built_in_catalogue_without_a_seed_folder,
    keeps_service_desk_edits_when_the_seed_runs_again,
    another_instance_follows_a_change_within_the_check_interval,
);

const HEADER: &str = "workflow_id,group,description,direction,ack_of,status,hscn_only,test_first\n";

fn seed_rows() -> usize {
    let text = std::fs::read_to_string(seed_dir().join("workflows.csv")).unwrap();
    csv::Reader::from_reader(text.as_bytes()).records().count()
}

async fn revision(app: &mesh_portal_tests::TestApp) -> i64 {
    let mut conn = app.state.db.pool.acquire().await.unwrap();
    app::backend::db::workflows::revision(&mut conn)
        .await
        .unwrap()
}

async fn loads_the_whole_seed_file_at_start_up(backend: Backend) {
    let app = spawn_app(backend).await;

    let all = app
        .state
        .catalogue
        .search(&SearchRequest::default())
        .unwrap();

    assert_eq!(all.total, seed_rows());
}

async fn changes_nothing_when_run_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let before = revision(&app).await;

    let report = sync_seed_data(&app.state.db, &seed_dir())
        .await
        .unwrap()
        .workflows;

    assert_eq!(
        report,
        SeedReport {
            file: seed_dir().join("workflows.csv").display().to_string(),
            unchanged: seed_rows(),
            ..SeedReport::default()
        }
    );
    assert_eq!(
        revision(&app).await,
        before,
        "an unchanged sync leaves the revision alone"
    );
}

async fn updates_a_row_that_was_edited(backend: Backend) {
    let first = seed_folder_with(&format!(
        "{HEADER}EDIT_ME,Group A,Old words,,,active,no,no\nSTAYS_SAME,Group A,Same,,,active,no,no\n"
    ));
    let app = spawn_app_with(
        backend,
        &[("MESH_PORTAL_SEED_DIR", first.path().to_str().unwrap())],
    )
    .await;
    let before = revision(&app).await;
    let edited = seed_folder_with(&format!(
        "{HEADER}EDIT_ME,Group B,New words,Trust to GP,,retired,yes,yes\nSTAYS_SAME,Group A,Same,,,active,no,no\n"
    ));

    let report = sync_seed_data(&app.state.db, edited.path())
        .await
        .unwrap()
        .workflows;
    app.state.catalogue.reload(&app.state.db).await.unwrap();

    assert_eq!(
        (report.inserted, report.updated, report.unchanged),
        (0, 1, 1)
    );
    assert_eq!(revision(&app).await, before + 1);
    let detail = app.state.catalogue.get("EDIT_ME").unwrap();
    assert_eq!(detail.summary.group, "Group B");
    assert_eq!(detail.summary.description, "New words");
    assert_eq!(detail.direction, "Trust to GP");
    assert!(detail.summary.hscn_only && detail.summary.test_first);
    let (_, page) = app.get_text("/workflows/EDIT_ME").await;
    assert!(page.contains("New words") && page.contains("Retired"));
}

async fn reports_bad_rows_with_file_line_and_reason_and_loads_the_rest(backend: Backend) {
    let seed = seed_folder_with(&format!(
        "{HEADER}\
         GOOD_FIRST,Group,Fine,,,active,no,no\n\
         ,Group,No ID,,,active,no,no\n\
         lower_case,Group,Lower,,,active,no,no\n\
         HAS SPACE,Group,Space,,,active,no,no\n\
         ODD_STATUS,Group,Odd,,,pending,no,no\n\
         GOOD_FIRST,Group,Twice,,,active,no,no\n\
         GOOD_LAST,Group,Fine too,,,active,no,no\n"
    ));
    let app = spawn_app_with(
        backend,
        &[("MESH_PORTAL_SEED_DIR", seed.path().to_str().unwrap())],
    )
    .await;

    let report = sync_seed_data(&app.state.db, seed.path())
        .await
        .unwrap()
        .workflows;

    let file = seed.path().join("workflows.csv").display().to_string();
    let problems: Vec<(String, u64, String)> = report
        .problems
        .iter()
        .map(|p| (p.file.clone(), p.line, p.reason.clone()))
        .collect();
    assert_eq!(
        problems,
        [
            (
                file.clone(),
                3,
                "workflow_id ‘’: Enter a workflow ID".to_owned()
            ),
            (
                file.clone(),
                4,
                "workflow_id ‘lower_case’: Workflow ID must be in capital letters".to_owned()
            ),
            (
                file.clone(),
                5,
                "workflow_id ‘HAS SPACE’: Workflow ID must not contain spaces".to_owned()
            ),
            (
                file.clone(),
                6,
                "ODD_STATUS: unknown status ‘pending’ (use active or retired)".to_owned()
            ),
            (
                file.clone(),
                7,
                "duplicate workflow ID GOOD_FIRST (first on line 2)".to_owned()
            ),
        ]
    );
    let ids: Vec<String> = app
        .state
        .catalogue
        .search(&SearchRequest::default())
        .unwrap()
        .items
        .into_iter()
        .map(|w| w.workflow_id)
        .collect();
    assert_eq!(
        ids,
        ["GOOD_FIRST", "GOOD_LAST"],
        "the good rows loaded, the first copy won"
    );
    assert_eq!(
        app.state
            .catalogue
            .get("GOOD_FIRST")
            .unwrap()
            .summary
            .description,
        "Fine"
    );
}

async fn falls_back_to_the_built_in_catalogue_without_a_seed_folder(backend: Backend) {
    let empty = tempfile::tempdir().unwrap();
    let app = spawn_app_with(
        backend,
        &[("MESH_PORTAL_SEED_DIR", empty.path().to_str().unwrap())],
    )
    .await;

    let report = sync_seed_data(&app.state.db, empty.path())
        .await
        .unwrap()
        .workflows;

    assert_eq!(report.file, "workflows.csv (built into the binary)");
    assert_eq!(
        report.unchanged,
        seed_rows(),
        "the built-in copy is the seed file"
    );
}

async fn keeps_service_desk_edits_when_the_seed_runs_again(backend: Backend) {
    let seed = seed_folder_with(&format!("{HEADER}OWNED,Group,Seed words,,,active,no,no\n"));
    let app = spawn_app_with(
        backend,
        &[("MESH_PORTAL_SEED_DIR", seed.path().to_str().unwrap())],
    )
    .await;
    sqlx::query::<sqlx::Any>(
        "UPDATE workflows SET description = 'Desk words', source = 'service_desk' WHERE workflow_id = 'OWNED'",
    )
    .execute(&app.state.db.pool)
    .await
    .unwrap();

    let report = sync_seed_data(&app.state.db, seed.path())
        .await
        .unwrap()
        .workflows;
    app.state.catalogue.reload(&app.state.db).await.unwrap();

    assert_eq!(report.kept_local, 1);
    assert_eq!(
        app.state
            .catalogue
            .get("OWNED")
            .unwrap()
            .summary
            .description,
        "Desk words"
    );
}

async fn another_instance_follows_a_change_within_the_check_interval(backend: Backend) {
    let seed = seed_folder_with(&format!("{HEADER}SHARED_ONE,Group,Before,,,active,no,no\n"));
    let seed_dir = seed.path().to_str().unwrap().to_owned();
    let first = spawn_app_with(backend, &[("MESH_PORTAL_SEED_DIR", &seed_dir)]).await;
    let url = first.settings.database_url.expose().to_owned();
    let second = spawn_app_with(
        backend,
        &[
            ("MESH_PORTAL_SEED_DIR", &seed_dir),
            ("MESH_PORTAL_DATABASE_URL", &url),
        ],
    )
    .await;
    let (_, before) = first.get_text("/workflows/SHARED_ONE").await;
    let edited = seed_folder_with(&format!("{HEADER}SHARED_ONE,Group,After,,,active,no,no\n"));

    sync_seed_data(&second.state.db, edited.path())
        .await
        .unwrap();
    tokio::time::sleep(
        app::backend::catalogue::REVISION_CHECK_INTERVAL + std::time::Duration::from_millis(300),
    )
    .await;
    let (_, after) = first.get_text("/workflows/SHARED_ONE").await;

    assert!(before.contains("Before"));
    assert!(
        after.contains("After"),
        "the first instance reread the catalogue"
    );
}
