//! A form's address as a route template, and the form its captured segments make: the table each
//! area keeps of its forms (see [`crate::forms`]).

/// One form's address (axum's path syntax, `{name}` for one segment) and how its captured
/// segments make the area's form.
pub struct FormRoute<F: 'static> {
    pub template: &'static str,
    pub make: fn(&[&str]) -> F,
}

/// The segments `template`'s `{…}` parts capture from `path`, if it matches.
pub fn captures<'p>(template: &str, path: &'p str) -> Option<Vec<&'p str>> {
    let mut found = Vec::new();
    let mut wanted = template.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(found),
            (Some(part), Some(segment)) if part.starts_with('{') && part.ends_with('}') => {
                if segment.is_empty() {
                    return None;
                }
                found.push(segment);
            }
            (Some(part), Some(segment)) if part == segment => {}
            _ => return None,
        }
    }
}

/// The form of the first route in `routes` that `path` matches.
pub fn parse<F>(routes: &[FormRoute<F>], path: &str) -> Option<F> {
    routes
        .iter()
        .find_map(|route| captures(route.template, path).map(|found| (route.make)(&found)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_captures_one_segment_for_each_name() {
        let template = "/activate/{token}/app";
        assert_eq!(captures(template, "/activate/abc/app"), Some(vec!["abc"]));
        assert_eq!(captures(template, "/activate/abc"), None);
        assert_eq!(captures(template, "/activate//app"), None);
        assert_eq!(captures(template, "/activate/abc/app/more"), None);
        assert_eq!(captures("/sign-in/pin", "/sign-in/pin"), Some(vec![]));
        assert_eq!(captures("/sign-in/pin", "/sign-in/code"), None);
    }
}
