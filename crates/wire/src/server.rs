//! The HTTP/1.1 server: keep-alive connections, body limits, graceful shutdown. Every request is
//! handed to the [`Pipeline`].

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::pipeline::{Body, MAX_BODY, Pipeline};

/// How long shutdown waits for in-flight requests before closing their connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `pipeline` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    pipeline: Arc<Pipeline>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // EMFILE and friends: back off briefly rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let pipeline = Arc::clone(&pipeline);
        let service = service_fn(move |req| {
            let pipeline = Arc::clone(&pipeline);
            async move { Ok::<_, Infallible>(handle(&pipeline, req, remote).await) }
        });
        let conn = http1::Builder::new()
            .keep_alive(true)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("in-flight requests did not finish within {SHUTDOWN_GRACE:?}");
        }
    }
    Ok(())
}

async fn handle(
    pipeline: &Pipeline,
    req: hyper::Request<Incoming>,
    remote: SocketAddr,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let declared_too_large = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY as u64);
    let body = if declared_too_large {
        Body::TooLarge
    } else {
        match Limited::new(body, MAX_BODY).collect().await {
            Ok(collected) => Body::Complete(collected.to_bytes()),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => Body::TooLarge,
            Err(e) => {
                tracing::debug!(error = %e, %remote, "request body could not be read");
                Body::Complete(Bytes::new())
            }
        }
    };
    let resp = pipeline.handle(parts, body, remote.ip()).await;
    resp.map(Full::new)
}
