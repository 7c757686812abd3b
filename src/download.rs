//! Saving files from the page (timeline exports, chain files, exported code): a Blob
//! behind a temporary link, and PNG by drawing the SVG onto a canvas.

use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, HtmlImageElement, Url};

/// Why a download failed, in words for the page.
fn failed(what: &str) -> impl Fn(JsValue) -> String + '_ {
    move |_| format!("The browser refused to {what}; try again, or another browser.")
}

fn blob(mime: &str, text: &str) -> Result<Blob, String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_str_sequence_and_options(&parts, &options).map_err(failed("make the file"))
}

fn save_url(name: &str, url: &str) -> Result<(), String> {
    let link: HtmlAnchorElement = document()
        .create_element("a")
        .map_err(failed("make a download link"))?
        .unchecked_into();
    link.set_href(url);
    link.set_download(name);
    link.click();
    Ok(())
}

/// Offers `text` as a file called `name`.
pub fn text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(&blob(mime, text)?)
        .map_err(failed("make a download address"))?;
    let saved = save_url(name, &url);
    let _ = Url::revoke_object_url(&url);
    saved
}

/// Offers the SVG picture as a PNG at twice its size, for slides and documents.
pub fn png(name: &'static str, svg: &str) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(&blob("image/svg+xml", svg)?)
        .map_err(failed("read the picture"))?;
    let image = HtmlImageElement::new().map_err(failed("load the picture"))?;
    let loaded = image.clone();
    let source = url.clone();
    let onload = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&source);
        if let Err(message) = draw_and_save(&loaded, name) {
            leptos::logging::error!("{message}");
        }
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&url);
    Ok(())
}

fn draw_and_save(image: &HtmlImageElement, name: &str) -> Result<(), String> {
    const SCALE: u32 = 2;
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .map_err(failed("make a canvas"))?
        .unchecked_into();
    canvas.set_width(image.natural_width() * SCALE);
    canvas.set_height(image.natural_height() * SCALE);
    let context: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(failed("draw on a canvas"))?
        .ok_or("This browser has no 2D canvas, so the PNG cannot be drawn; export SVG instead.")?
        .unchecked_into();
    context
        .scale(f64::from(SCALE), f64::from(SCALE))
        .map_err(failed("scale the canvas"))?;
    context
        .draw_image_with_html_image_element(image, 0.0, 0.0)
        .map_err(failed("draw the picture"))?;
    let data = canvas
        .to_data_url_with_type("image/png")
        .map_err(failed("encode the PNG"))?;
    save_url(name, &data)
}
