//! Catalogue search latency over a generated catalogue of 10,000 workflow IDs.
//!
//! Measures, in one run: the search service call (in process), a full `/workflows?q=` page over
//! loopback, and `/health` over loopback as the baseline for what any request costs. Prints p50
//! and p99 of each and the ratios to the baseline; exits non-zero if a target is missed
//! (search call p99 under 2 ms, page p99 under 10 ms).
//!
//! Run with `make bench` (or `cargo bench -p mesh-portal-tests --bench catalogue_search`).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use app::model::catalogue::SearchRequest;
use mesh_portal_tests::{Backend, seed_folder_with, spawn_app_with};

const ENTRIES: usize = 10_000;
const WARM_UP: usize = 50;
const SERVICE_RUNS: usize = 5_000;
const HTTP_RUNS: usize = 1_000;
const SEARCH_CALL_TARGET: Duration = Duration::from_millis(2);
const PAGE_TARGET: Duration = Duration::from_millis(10);

/// Words the generated catalogue is made of, so queries hit realistic numbers of entries.
const AREAS: [&str; 25] = [
    "cardiology",
    "pathology",
    "radiology",
    "oncology",
    "maternity",
    "pharmacy",
    "dental",
    "renal",
    "audiology",
    "screening",
    "immunisation",
    "diabetes",
    "ambulance",
    "ophthalmology",
    "dermatology",
    "neurology",
    "urology",
    "orthopaedics",
    "paediatrics",
    "respiratory",
    "gastroenterology",
    "haematology",
    "rheumatology",
    "endocrinology",
    "palliative",
];
const THINGS: [&str; 16] = [
    "report",
    "referral",
    "discharge",
    "summary",
    "results",
    "letter",
    "request",
    "outcome",
    "notification",
    "images",
    "return",
    "submission",
    "plan",
    "assessment",
    "extract",
    "alert",
];

fn generated_catalogue() -> String {
    let mut csv = String::from(
        "workflow_id,group,description,direction,ack_of,status,hscn_only,test_first\n",
    );
    for i in 0..ENTRIES {
        let area = AREAS[i % AREAS.len()];
        let thing = THINGS[(i / AREAS.len()) % THINGS.len()];
        let id = format!(
            "{}_{}_{i:05}",
            &area[..area.len().min(6)].to_uppercase(),
            thing.to_uppercase()
        );
        let status = if i % 17 == 0 { "retired" } else { "active" };
        writeln!(
            csv,
            "{id},{} {},Example: {area} {thing} number {i} sent between organisations,,,{status},{},{}",
            capitalise(area),
            ["services", "programme", "network"][i % 3],
            if i % 11 == 0 { "yes" } else { "no" },
            if i % 13 == 0 { "yes" } else { "no" },
        )
        .unwrap();
    }
    csv
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The searches a person makes: an ID prefix, a word, a typo, two words, a group filter, nothing.
fn queries() -> Vec<SearchRequest> {
    [
        (Some("CARDIO_REP"), None),
        (Some("pathology"), None),
        (Some("radiolgy images"), None),
        (Some("paediatrics discharge"), None),
        (Some("referral"), Some("Dental services")),
        (Some("haematology results"), None),
        (Some("notificaton"), None),
        (None, None),
    ]
    .into_iter()
    .map(|(q, group)| SearchRequest::from_params(q, group, None))
    .collect()
}

struct Stats {
    p50: Duration,
    p99: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).saturating_sub(1)];
    Stats {
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seed = seed_folder_with(&generated_catalogue());
    let app = spawn_app_with(
        Backend::Sqlite,
        &[("MESH_PORTAL_SEED_DIR", seed.path().to_str().unwrap())],
    )
    .await;
    let catalogue = app.state.catalogue.clone();
    assert_eq!(
        catalogue.index().len(),
        ENTRIES,
        "the generated catalogue loaded whole"
    );
    let queries = queries();
    for request in &queries {
        let found = catalogue.search(request).unwrap();
        assert!(
            request.q.is_empty() || found.total > 0,
            "{:?} finds something",
            request.q
        );
    }

    // The search service call, in process.
    let mut service = Vec::with_capacity(SERVICE_RUNS);
    for i in 0..WARM_UP + SERVICE_RUNS {
        let request = &queries[i % queries.len()];
        let started = Instant::now();
        let results = catalogue.search(request).unwrap();
        let took = started.elapsed();
        std::hint::black_box(results);
        if i >= WARM_UP {
            service.push(took);
        }
    }

    // Full pages and /health over loopback, interleaved so both see the same machine state.
    let page_paths: Vec<String> = queries
        .iter()
        .map(|r| format!("/workflows{}", r.query_string(1)))
        .collect();
    let mut pages = Vec::with_capacity(HTTP_RUNS);
    let mut health = Vec::with_capacity(HTTP_RUNS);
    for i in 0..WARM_UP + HTTP_RUNS {
        let path = &page_paths[i % page_paths.len()];
        let started = Instant::now();
        let (status, body) = app.get_text(path).await;
        let page_took = started.elapsed();
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("workflow ID"), "{path} rendered");

        let started = Instant::now();
        let (status, _) = app.get_text("/health").await;
        let health_took = started.elapsed();
        assert_eq!(status, 200);
        if i >= WARM_UP {
            pages.push(page_took);
            health.push(health_took);
        }
    }

    let service = stats(service);
    let pages = stats(pages);
    let health = stats(health);
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "catalogue search benchmark: {ENTRIES} workflow IDs, {} queries",
        queries.len()
    );
    println!(
        "  search service call  ({SERVICE_RUNS} runs): p50 {}  p99 {}  (target p99 < {})",
        ms(service.p50),
        ms(service.p99),
        ms(SEARCH_CALL_TARGET)
    );
    println!(
        "  GET /workflows?q=…   ({HTTP_RUNS} runs): p50 {}  p99 {}  (target p99 < {})",
        ms(pages.p50),
        ms(pages.p99),
        ms(PAGE_TARGET)
    );
    println!(
        "  GET /health baseline ({HTTP_RUNS} runs): p50 {}  p99 {}",
        ms(health.p50),
        ms(health.p99)
    );
    println!(
        "  ratios to /health: search call p50 {:.2}x p99 {:.2}x; page p50 {:.2}x p99 {:.2}x",
        ratio(service.p50, health.p50),
        ratio(service.p99, health.p99),
        ratio(pages.p50, health.p50),
        ratio(pages.p99, health.p99),
    );

    let mut missed = Vec::new();
    if service.p99 >= SEARCH_CALL_TARGET {
        missed.push(format!(
            "search call p99 {} ≥ {}",
            ms(service.p99),
            ms(SEARCH_CALL_TARGET)
        ));
    }
    if pages.p99 >= PAGE_TARGET {
        missed.push(format!("page p99 {} ≥ {}", ms(pages.p99), ms(PAGE_TARGET)));
    }
    if missed.is_empty() {
        println!("  targets met");
    } else {
        eprintln!("  targets missed: {}", missed.join("; "));
        std::process::exit(1);
    }
}
