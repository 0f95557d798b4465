//! The workflow ID catalogue service: search, entry lookup and CSV export over an in-memory
//! index that follows the database, and the seed-file sync that fills it.
//!
//! The index is rebuilt from the database whenever the catalogue revision changes, checked at
//! most once every [`REVISION_CHECK_INTERVAL`], so several instances serve the same catalogue
//! without asking the database on every keystroke.

pub mod export;
pub mod index;
pub mod seed;

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use self::index::{CatalogueIndex, Entry};
use super::db::{Db, workflows};
use model::catalogue::{PAGE_SIZE, SearchRequest, SearchResults, WorkflowDetail};
use model::error::AppError;

/// How stale an instance's index may be, at most, after another instance changes the catalogue.
pub const REVISION_CHECK_INTERVAL: Duration = Duration::from_secs(2);

struct Loaded {
    index: Arc<CatalogueIndex>,
    revision: i64,
}

/// The catalogue as this instance serves it.
pub struct Catalogue {
    loaded: RwLock<Loaded>,
    last_check: Mutex<Instant>,
}

impl std::fmt::Debug for Catalogue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogue")
            .field("entries", &self.index().len())
            .finish()
    }
}

impl Catalogue {
    /// Reads the whole catalogue from the database.
    pub async fn load(db: &Db) -> sqlx::Result<Self> {
        let (index, revision) = read(db).await?;
        Ok(Self {
            loaded: RwLock::new(Loaded {
                index: Arc::new(index),
                revision,
            }),
            last_check: Mutex::new(Instant::now()),
        })
    }

    /// The index as it is now.
    pub fn index(&self) -> Arc<CatalogueIndex> {
        Arc::clone(&self.loaded.read().expect("catalogue lock poisoned").index)
    }

    /// Rereads the catalogue if the database's revision moved since it was loaded; checks at most
    /// once per [`REVISION_CHECK_INTERVAL`].
    pub async fn refresh_if_stale(&self, db: &Db) -> sqlx::Result<()> {
        {
            let mut last = self.last_check.lock().expect("catalogue lock poisoned");
            if last.elapsed() < REVISION_CHECK_INTERVAL {
                return Ok(());
            }
            *last = Instant::now();
        }
        let current = workflows::revision(&mut *db.pool.acquire().await?).await?;
        let loaded = self
            .loaded
            .read()
            .expect("catalogue lock poisoned")
            .revision;
        if current != loaded {
            self.reload(db).await?;
        }
        Ok(())
    }

    /// Like [`Self::refresh_if_stale`], but a failure only logs a warning: a stale catalogue is
    /// better than none.
    pub async fn follow(&self, db: &Db) {
        if let Err(error) = self.refresh_if_stale(db).await {
            tracing::warn!(error = %error, "could not check the catalogue revision");
        }
    }

    /// After a committed write to the catalogue (whose revision bump tells the other instances):
    /// this instance shows it at once. A failure only logs a warning: the change shows at the
    /// next refresh.
    pub async fn show_change(&self, db: &Db) {
        if let Err(error) = self.reload(db).await {
            tracing::warn!(%error, "the catalogue will show the change on its next refresh");
        }
    }

    /// Rereads the catalogue now.
    pub async fn reload(&self, db: &Db) -> sqlx::Result<()> {
        let (index, revision) = read(db).await?;
        let mut loaded = self.loaded.write().expect("catalogue lock poisoned");
        loaded.index = Arc::new(index);
        loaded.revision = revision;
        Ok(())
    }

    /// One page of the entries matching a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, AppError> {
        let index = self.index();
        let positions = matching(&index, request)?;
        let total = positions.len();
        let page_count = total.div_ceil(PAGE_SIZE).max(1);
        let page = request.page.clamp(1, page_count);
        let items = positions
            .iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .map(|&i| index.entry(i).summary.clone())
            .collect();
        Ok(SearchResults {
            items,
            total,
            page,
            page_count,
            groups: index.groups().to_vec(),
        })
    }

    /// Every entry matching a search, best first, with its direction notes, for export.
    pub fn search_all(&self, request: &SearchRequest) -> Result<Vec<Entry>, AppError> {
        let index = self.index();
        let positions = matching(&index, request)?;
        Ok(positions.iter().map(|&i| index.entry(i).clone()).collect())
    }

    /// One entry with its acknowledgement pair; `None` when there is no such ID. An ID typed in
    /// lower case finds its entry too, since IDs are upper-case.
    pub fn get(&self, workflow_id: &str) -> Option<WorkflowDetail> {
        let index = self.index();
        let entry = index
            .get(workflow_id)
            .or_else(|| index.get(&workflow_id.trim().to_uppercase()))?;
        let workflow_id = entry.summary.workflow_id.as_str();
        let group_size = index
            .group_position(&entry.summary.group)
            .map(|g| index.groups()[g].count)
            .unwrap_or_default();
        Some(WorkflowDetail {
            summary: entry.summary.clone(),
            direction: entry.direction.clone(),
            acknowledged_by: index.acknowledged_by(workflow_id).to_vec(),
            group_size,
        })
    }
}

fn matching(index: &CatalogueIndex, request: &SearchRequest) -> Result<Vec<usize>, AppError> {
    if let Some(message) = request.text_error() {
        return Err(AppError::invalid("q", message));
    }
    let group = match &request.group {
        None => None,
        Some(name) => Some(index.group_position(name).ok_or_else(|| {
            AppError::invalid(
                "group",
                format!("There is no workflow group called ‘{name}’. Choose a group from the list"),
            )
        })?),
    };
    Ok(index.search(&request.q, group))
}

async fn read(db: &Db) -> sqlx::Result<(CatalogueIndex, i64)> {
    let mut tx = db.begin().await?;
    let revision = workflows::revision(&mut tx).await?;
    let rows = workflows::list_all(&mut tx).await?;
    let groups = workflows::list_group_names(&mut tx).await?;
    tx.commit().await?;
    let entries = rows
        .iter()
        .map(|row| Entry {
            summary: row.summary(),
            direction: row.direction.clone(),
        })
        .collect();
    Ok((CatalogueIndex::build(entries, &groups), revision))
}
