//! Uploading documents: choose files or drop them on the zone; a progress
//! bar follows the transfer. The files go to the server function
//! `upload_attachments`, sent by an XMLHttpRequest because it reports upload
//! progress and fetch does not (see docs/decisions.md).

use crate::api::UploadAttachments;
use crate::api_error::ApiError;
use crate::live::use_live_updates;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use web_sys::{File, FileList, FormData, ProgressEvent, XmlHttpRequest};

/// The accepted types, as the file chooser should offer them.
const ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.docx,.xlsx,.csv,.txt";

#[component]
pub fn Uploader(
    order_id: i64,
    on_done: Callback<()>,
    /// Upload vendor reports (staff) instead of documents.
    #[prop(optional)]
    report: bool,
    /// The checklist item (id and name) the one file answers.
    #[prop(optional)]
    checklist_item: Option<(i64, String)>,
) -> impl IntoView {
    let (input_id, label) = match (&checklist_item, report) {
        (Some((id, item)), _) => (format!("upload-item-{id}"), format!("Upload “{item}”")),
        (None, true) => (
            "upload-report".to_owned(),
            "Upload vendor report".to_owned(),
        ),
        (None, false) => ("upload-files".to_owned(), "Upload documents".to_owned()),
    };
    let one_file = checklist_item.is_some();
    let item_id = checklist_item.map(|(id, _)| id);
    let progress = RwSignal::new(None::<f64>);
    // The page stays as it is while files are on their way.
    if let Some(live) = use_live_updates() {
        live.hold_while(move || progress.get().is_some());
    }
    let error = RwSignal::new(None::<String>);
    let hover = RwSignal::new(false);
    let start = move |files: Option<FileList>| {
        let files: Vec<File> = files
            .map(|list| {
                (0..list.length())
                    .filter_map(|index| list.get(index))
                    .take(if one_file { 1 } else { usize::MAX })
                    .collect()
            })
            .unwrap_or_default();
        if !files.is_empty() && progress.get_untracked().is_none() {
            error.set(None);
            let target = Target {
                order_id,
                report,
                item_id,
            };
            send(target, &files, progress, error, on_done);
        }
    };
    view! {
        <div
            class="dropzone"
            class:hover=hover
            class:compact=one_file
            data-testid=input_id.clone()
            on:dragover=move |event| {
                event.prevent_default();
                hover.set(true);
            }
            on:dragleave=move |_| hover.set(false)
            on:drop=move |event| {
                event.prevent_default();
                hover.set(false);
                start(event.data_transfer().and_then(|transfer| transfer.files()));
            }
        >
            <label for=input_id.clone()>{label}</label>
            <input id=input_id.clone() type="file" multiple=!one_file accept=ACCEPT
                disabled=move || progress.get().is_some()
                on:change=move |event| {
                    let input = event_target::<web_sys::HtmlInputElement>(&event);
                    start(input.files());
                    input.set_value("");
                }/>
            {(!one_file).then(|| view! {
                <p class="muted">"…or drop files here. PDF, images, Word, Excel, CSV or text."</p>
            })}
            {move || progress.get().map(|percent| view! {
                <progress max="100" value=percent aria-label="Upload progress"></progress>
            })}
            {move || error.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </div>
    }
}

/// Where an upload goes and what it is.
#[derive(Clone, Copy)]
struct Target {
    order_id: i64,
    report: bool,
    item_id: Option<i64>,
}

fn send(
    Target {
        order_id,
        report,
        item_id,
    }: Target,
    files: &[File],
    progress: RwSignal<Option<f64>>,
    error: RwSignal<Option<String>>,
    on_done: Callback<()>,
) {
    let failed = move |message: String| {
        progress.set(None);
        error.set(Some(message));
    };
    let (Ok(form), Ok(request)) = (FormData::new(), XmlHttpRequest::new()) else {
        failed("This browser cannot upload files.".to_owned());
        return;
    };
    if report {
        let _ = form.append_with_str("kind", "report");
    }
    if let Some(item_id) = item_id {
        let _ = form.append_with_str("checklist_item", &item_id.to_string());
    }
    for file in files {
        let _ = form.append_with_blob_and_filename("file", file, &file.name());
    }
    let url = format!("{}?order={order_id}", UploadAttachments::PATH);
    if request.open("POST", &url).is_err() {
        failed("The upload could not start.".to_owned());
        return;
    }
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            progress.set(Some((event.loaded() / event.total() * 100.0).round()));
        }
    });
    if let Ok(upload) = request.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    progress.set(Some(0.0));
    let finished = request.clone();
    // Runs once; it owns the progress handler, which is freed with it.
    let on_end = Closure::once_into_js(move || {
        drop(on_progress);
        let status = finished.status().unwrap_or(0);
        if (200..300).contains(&status) {
            progress.set(None);
            on_done.run(());
        } else if status == 0 {
            failed("The upload failed. Check your connection and try again.".to_owned());
        } else {
            let text = finished.response_text().ok().flatten().unwrap_or_default();
            let message = serde_json::from_str::<ApiError>(&text)
                .map(|error| error.message)
                .unwrap_or_else(|_| format!("The upload failed ({status})."));
            failed(message);
        }
    });
    request.set_onloadend(Some(on_end.unchecked_ref()));
    if request.send_with_opt_form_data(Some(&form)).is_err() {
        failed("The upload could not start.".to_owned());
    }
}
