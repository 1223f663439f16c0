//! The browser bundle in the page's head: its stylesheet, and a small
//! script that loads the code and hydrates the page once the browser is
//! idle.
//!
//! Leptos's own `HydrationScripts` preloads the code and the 2 MB of
//! WebAssembly from the head, and with `defer` still does, at low priority.
//! On a phone's link those downloads start before the first paint and share
//! the line with it: Lighthouse put the largest paint of every signed-in
//! page at 3.76 s without `defer`, and of three pages in five with it,
//! where the page itself needs 0.75 s. Here nothing of the bundle is
//! fetched before the server-rendered page is painted: it is already whole
//! and its forms work without the bundle. Leptos's components also read
//! the bundle's names (`hash.txt`) from disk on every page; here they are
//! read once.

use leptos::prelude::*;

/// The names of the bundle's files, without their extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleNames {
    pub js: String,
    pub wasm: String,
    pub css: String,
}

impl BundleNames {
    /// The names a build writes: the package's output name, followed, when
    /// files are named by their content (`hash_files`), by each file's hash
    /// as the build listed them in `hashes` (`js: …`, `wasm: …`, `css: …`).
    pub fn from_build(output_name: &str, hash_files: bool, hashes: Option<&str>) -> BundleNames {
        let mut names = BundleNames {
            js: output_name.to_owned(),
            wasm: output_name.to_owned(),
            css: output_name.to_owned(),
        };
        if hash_files {
            for (kind, hash) in hashes
                .unwrap_or_default()
                .lines()
                .filter_map(|line| line.split_once(':'))
            {
                let name = match kind.trim() {
                    "js" => &mut names.js,
                    "wasm" => &mut names.wasm,
                    "css" => &mut names.css,
                    _ => continue,
                };
                name.push('.');
                name.push_str(hash.trim());
            }
        } else if option_env!("LEPTOS_OUTPUT_NAME").is_none() {
            // wasm-bindgen's own name, unless cargo-leptos renamed it.
            names.wasm.push_str("_bg");
        }
        names
    }
}

/// The names of this build's files, read once per process.
#[cfg(feature = "ssr")]
fn bundle_names(options: &LeptosOptions) -> &'static BundleNames {
    static NAMES: std::sync::OnceLock<BundleNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let hashes = options
            .hash_files
            .then(|| {
                let exe = std::env::current_exe().ok()?;
                std::fs::read_to_string(exe.parent()?.join(options.hash_file.as_ref())).ok()
            })
            .flatten();
        if options.hash_files && hashes.is_none() {
            tracing::error!(
                "the bundle's files are named by their content, but hash.txt is missing"
            );
        }
        BundleNames::from_build(&options.output_name, options.hash_files, hashes.as_deref())
    })
}

/// The stylesheet, and the script that hydrates the page when the browser
/// is idle (within 2 s at the latest).
#[component]
pub fn BundleTags(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let names = bundle_names(&options).clone();
    #[cfg(not(feature = "ssr"))]
    let names = BundleNames::from_build(&options.output_name, options.hash_files, None);
    let pkg = format!("/{}", options.site_pkg_dir);
    // JSON strings are JavaScript strings.
    let js = serde_json::to_string(&format!("{pkg}/{}.js", names.js)).unwrap_or_default();
    let wasm = serde_json::to_string(&format!("{pkg}/{}.wasm", names.wasm)).unwrap_or_default();
    let loader = format!(
        "const hydrate = () => import({js}).then((bundle) => \
         bundle.default({{ module_or_path: {wasm} }}).then(() => bundle.hydrate()));\
         if (\"requestIdleCallback\" in window) {{ requestIdleCallback(hydrate, {{ timeout: 2000 }}); }} \
         else {{ hydrate(); }}"
    );
    view! {
        <link rel="stylesheet" id="leptos" href=format!("{pkg}/{}.css", names.css)/>
        <script type="module" nonce=leptos::nonce::use_nonce()>{loader}</script>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_follow_the_build_s_list() {
        let names = BundleNames::from_build("portal", true, Some("js: abc\nwasm: def\ncss: ghi\n"));
        assert_eq!(
            names,
            BundleNames {
                js: "portal.abc".to_owned(),
                wasm: "portal.def".to_owned(),
                css: "portal.ghi".to_owned(),
            }
        );
        // A missing list leaves the plain names, as Leptos does.
        let plain = BundleNames::from_build("portal", true, None);
        assert_eq!(
            (plain.js.as_str(), plain.wasm.as_str()),
            ("portal", "portal")
        );
    }
}
