//! NHS.UK numbered pagination.

use leptos::prelude::*;

/// The page numbers to show: the first, the last, and the current one with its neighbours;
/// `None` stands for a gap.
pub fn page_numbers(current: usize, count: usize) -> Vec<Option<usize>> {
    let mut shown: Vec<usize> = [1, current.saturating_sub(1), current, current + 1, count]
        .into_iter()
        .filter(|p| (1..=count).contains(p))
        .collect();
    shown.sort_unstable();
    shown.dedup();
    let mut out = Vec::new();
    for (i, page) in shown.iter().enumerate() {
        if i > 0 && page - shown[i - 1] > 1 {
            out.push(None);
        }
        out.push(Some(*page));
    }
    out
}

/// Links to the other pages of a result list; `href` makes the link for a page number. Renders
/// nothing when there is one page.
#[component]
pub fn Pagination(
    current: usize,
    count: usize,
    href: impl Fn(usize) -> String + 'static,
) -> impl IntoView {
    (count > 1).then(|| {
        let previous = (current > 1).then(|| {
            view! {
                <a href=href(current - 1) class="nhsuk-pagination__previous" rel="prev">
                    <span class="nhsuk-pagination__title">
                        "Previous"<span class="nhsuk-u-visually-hidden">" page"</span>
                    </span>
                </a>
            }
        });
        let next = (current < count).then(|| {
            view! {
                <a href=href(current + 1) class="nhsuk-pagination__next" rel="next">
                    <span class="nhsuk-pagination__title">
                        "Next"<span class="nhsuk-u-visually-hidden">" page"</span>
                    </span>
                </a>
            }
        });
        let items = page_numbers(current, count)
            .into_iter()
            .map(|page| match page {
                None => view! {
                    <li class="nhsuk-pagination__item nhsuk-pagination__item--ellipsis">"⋯"</li>
                }
                .into_any(),
                Some(page) => {
                    let is_current = page == current;
                    view! {
                        <li
                            class="nhsuk-pagination__item"
                            class:nhsuk-pagination__item--current=is_current
                        >
                            <a
                                class="nhsuk-pagination__link"
                                href=href(page)
                                aria-label=format!("Page {page}")
                                aria-current=is_current.then_some("page")
                            >
                                {page}
                            </a>
                        </li>
                    }
                    .into_any()
                }
            })
            .collect_view();
        view! {
            <nav
                class="nhsuk-pagination nhsuk-pagination--numbered"
                role="navigation"
                aria-label="Results pages"
            >
                {previous}
                <ul class="nhsuk-pagination__list">{items}</ul>
                {next}
            </nav>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::page_numbers;

    #[test]
    fn shows_first_last_and_neighbours_with_gaps() {
        assert_eq!(page_numbers(1, 1), [Some(1)]);
        assert_eq!(page_numbers(1, 3), [Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_numbers(5, 10),
            [Some(1), None, Some(4), Some(5), Some(6), None, Some(10)]
        );
        assert_eq!(page_numbers(10, 10), [Some(1), None, Some(9), Some(10)]);
    }
}
