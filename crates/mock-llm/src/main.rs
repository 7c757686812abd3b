//! `cargo run -p mock-llm -- --port 4321` serves a mock OpenAI-compatible API on
//! http://127.0.0.1:4321/v1 (see the crate docs for latency and faults on demand).

use mock_llm::{serve, Server};

#[tokio::main]
async fn main() {
    let mut port: u16 = 4321;
    let mut host = String::from("127.0.0.1");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--port", Some(v)) => match v.parse() {
                Ok(p) => port = p,
                Err(_) => exit(&format!("--port needs a number from 1 to 65535, got `{v}`")),
            },
            ("--host", Some(v)) => host = v,
            _ => exit(&format!(
                "unknown argument `{arg}`; usage: mock-llm [--port N] [--host ADDR]"
            )),
        }
    }
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => exit(&format!(
            "cannot listen on {host}:{port}: {e} (is another server using it?)"
        )),
    };
    eprintln!("mock-llm: OpenAI-compatible API on http://{host}:{port}/v1 (stats: /stats)");
    if let Err(e) = serve(listener, Server::default()).await {
        exit(&format!("server stopped: {e}"));
    }
}

fn exit(message: &str) -> ! {
    eprintln!("mock-llm: {message}");
    std::process::exit(2);
}
