//! How many requests run at once: over all hosts, and per host, so that many sources on one
//! host (every Atlassian product's page, say) are fetched politely.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;

pub(crate) struct Permits {
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Held while one request runs.
pub(crate) struct Permit {
    _host: Option<OwnedSemaphorePermit>,
    _global: Option<OwnedSemaphorePermit>,
}

impl Permits {
    pub(crate) fn new(global: usize, per_host: usize) -> Permits {
        Permits {
            global: Arc::new(Semaphore::new(global.max(1))),
            per_host: per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for a slot on the URL's host, then for a global one, so a request queued behind
    /// a busy host does not hold a global slot other hosts could use.
    pub(crate) async fn acquire(&self, url: &Url) -> Permit {
        let host = self.host_semaphore(url);
        let host_permit = match host {
            Some(s) => s.acquire_owned().await.ok(),
            None => None,
        };
        // The semaphores are never closed, so acquiring does not fail.
        let global = self.global.clone().acquire_owned().await.ok();
        Permit {
            _host: host_permit,
            _global: global,
        }
    }

    fn host_semaphore(&self, url: &Url) -> Option<Arc<Semaphore>> {
        let host = url.host_str()?;
        let key = format!("{host}:{}", url.port_or_known_default().unwrap_or(0));
        let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
        Some(
            hosts
                .entry(key)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
                .clone(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_host_gets_at_most_its_share() {
        let permits = Arc::new(Permits::new(8, 2));
        let a = Url::parse("https://a.example/x").unwrap();
        let b = Url::parse("https://b.example/x").unwrap();
        let _a1 = permits.acquire(&a).await;
        let _a2 = permits.acquire(&a).await;
        // A third on host a waits; host b is not held up by it.
        let third = tokio::time::timeout(Duration::from_millis(50), permits.acquire(&a)).await;
        assert!(third.is_err());
        let _b1 = tokio::time::timeout(Duration::from_millis(50), permits.acquire(&b))
            .await
            .expect("another host is free");
        // The same host on another port is another host.
        let a_other_port = Url::parse("https://a.example:8443/x").unwrap();
        let _a3 = tokio::time::timeout(Duration::from_millis(50), permits.acquire(&a_other_port))
            .await
            .expect("another port is free");
    }

    #[tokio::test]
    async fn the_global_limit_holds_across_hosts() {
        let permits = Permits::new(2, 2);
        let _a = permits
            .acquire(&Url::parse("http://a.example/").unwrap())
            .await;
        let _b = permits
            .acquire(&Url::parse("http://b.example/").unwrap())
            .await;
        let c = tokio::time::timeout(
            Duration::from_millis(50),
            permits.acquire(&Url::parse("http://c.example/").unwrap()),
        )
        .await;
        assert!(c.is_err());
    }
}
