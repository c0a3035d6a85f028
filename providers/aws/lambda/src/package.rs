//! What the plan can check about a function before AWS does: whether its runtime is one
//! AWS documents, and whether the file its handler names is in the package.

use std::path::Path;

/// The runtimes AWS documents, current and deprecated (deprecated ones still update and
/// run for a while: a warning about them would be noise).
const RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs4.3-edge",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "nodejs18.x",
    "nodejs20.x",
    "nodejs22.x",
    "nodejs24.x",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
    "java8",
    "java8.al2",
    "java11",
    "java17",
    "java21",
    "java25",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet8",
    "dotnet10",
    "ruby2.5",
    "ruby2.7",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "go1.x",
    "provided",
    "provided.al2",
    "provided.al2023",
];

pub(crate) fn known_runtime(runtime: &str) -> bool {
    RUNTIMES.contains(&runtime)
}

/// The files a handler can live in, for the runtimes whose handler names a file:
/// `index.handler` is `index.js` (or .mjs, .cjs) for Node.js, `pkg.mod.handler` is
/// `pkg/mod.py` for Python, `lib/app.handler` is `lib/app.rb` for Ruby.
pub(crate) fn handler_files(runtime: &str, handler: &str) -> Option<Vec<String>> {
    let (module, _function) = handler.rsplit_once('.')?;
    if runtime.starts_with("nodejs") {
        Some(
            ["js", "mjs", "cjs"]
                .iter()
                .map(|ext| format!("{module}.{ext}"))
                .collect(),
        )
    } else if runtime.starts_with("python") {
        Some(vec![format!("{}.py", module.replace('.', "/"))])
    } else if runtime.starts_with("ruby") {
        Some(vec![format!("{module}.rb")])
    } else {
        None
    }
}

/// The file names in a zip package, or `None` when it cannot be read as one.
pub(crate) fn entries(path: &Path) -> Option<Vec<String>> {
    let file = std::fs::File::open(path).ok()?;
    let archive = zip::ZipArchive::new(file).ok()?;
    Some(
        archive
            .file_names()
            .filter_map(Result::ok)
            .filter(|n| !n.ends_with('/'))
            .map(|n| n.into_owned())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_name_files_by_runtime() {
        assert_eq!(
            handler_files("nodejs20.x", "index.handler").unwrap(),
            ["index.js", "index.mjs", "index.cjs"]
        );
        assert_eq!(
            handler_files("python3.12", "app.main.handler").unwrap(),
            ["app/main.py"]
        );
        assert_eq!(
            handler_files("ruby3.3", "lib/fn.run").unwrap(),
            ["lib/fn.rb"]
        );
        assert!(handler_files("java21", "example.Handler::handleRequest").is_none());
        assert!(handler_files("provided.al2023", "bootstrap").is_none());
    }

    #[test]
    fn runtimes_aws_documents_are_known() {
        assert!(known_runtime("nodejs20.x"));
        assert!(known_runtime("python3.9"));
        assert!(!known_runtime("nodejs99.x"));
        assert!(!known_runtime("Python3.9"));
    }
}
