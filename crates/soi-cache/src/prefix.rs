//! Every key under one deployment prefix, for tools that clean up after
//! themselves (the test support and the benchmarks each use a prefix of
//! their own). `SCAN`, never `KEYS`: a shared Redis stays responsive.

use redis::aio::MultiplexedConnection;

/// Walks the keys under `prefix:`, a page at a time, and hands each page to `page`.
async fn each_page<F>(url: &str, prefix: &str, mut page: F) -> redis::RedisResult<()>
where
    F: AsyncFnMut(&mut MultiplexedConnection, Vec<String>) -> redis::RedisResult<()>,
{
    let mut conn = redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await?;
    let pattern = format!("{prefix}:*");
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await?;
        if !keys.is_empty() {
            page(&mut conn, keys).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// Deletes every key under `prefix:` on the Redis at `url`; how many went.
pub async fn delete_prefixed(url: &str, prefix: &str) -> redis::RedisResult<u64> {
    let mut deleted = 0;
    each_page(url, prefix, async |conn, keys| {
        deleted += redis::cmd("DEL")
            .arg(&keys)
            .query_async::<u64>(conn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(deleted)
}

/// How many keys are under `prefix:` on the Redis at `url`.
pub async fn count_prefixed(url: &str, prefix: &str) -> redis::RedisResult<usize> {
    let mut count = 0;
    each_page(url, prefix, async |_, keys| {
        count += keys.len();
        Ok(())
    })
    .await?;
    Ok(count)
}
