//! The binary's allocator: jemalloc with its run-time settings, and the publishing hook that
//! `main` registers with `tonetrack::job::on_publishing` so freed pages go back at once while the
//! tables are published.
//!
//! Example: `_RJEM_MALLOC_CONF=dirty_decay_ms:1000 tonetrack run feed --out out` overrides
//! [`malloc_conf`] for one run.

/// jemalloc rather than glibc's malloc. Publishing a million articles sorts 13 million statement
/// rows in buckets whose columns are allocated and freed over and over: glibc kept the freed,
/// fragmented heap (peak RSS 262 MiB against a live heap of 134 MB under heaptrack), and neither
/// `malloc_trim` after every bucket nor a fixed mmap threshold brought it below 239.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read when it starts (`_RJEM_MALLOC_CONF` in the environment overrides
/// them). Freed pages go back to the system 200 ms after they were freed (jemalloc's default is
/// ten seconds), by a background thread, so no worker waits on it; two arenas serve the two
/// workers, as more would each keep pages of their own. While the tables are published, freed
/// pages go back at once: see [`return_freed_pages_at_once`].
#[cfg(not(target_env = "msvc"))]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 69] =
    b"narenas:2,background_thread:true,dirty_decay_ms:200,muzzy_decay_ms:0\0";

/// The binary's publishing hook (`tonetrack::job::on_publishing`): while the tables are
/// published, freed pages go back to the system at once (decay 0), so resident memory follows
/// the live heap through the external sort (a million articles: peak 225 MiB, against 255 with
/// the 200 ms of the other phases); after, the decay of `malloc_conf` returns. Setting an
/// arena's decay to 0 also purges what it holds. A failure only costs memory, so it is logged.
#[cfg(all(not(target_env = "msvc"), feature = "tables"))]
pub fn return_freed_pages_at_once(at_once: bool) {
    use tikv_jemalloc_ctl::raw;
    const DECAY: &[u8] = b"arenas.dirty_decay_ms\0";
    let ms: isize = if at_once {
        0
    } else {
        // The configured default (or `_RJEM_MALLOC_CONF`'s), which new arenas get.
        match unsafe { raw::read::<isize>(DECAY) } {
            Ok(ms) => ms,
            Err(e) => {
                tracing::debug!("jemalloc: cannot read arenas.dirty_decay_ms: {e}");
                return;
            }
        }
    };
    let arenas = match unsafe { raw::read::<u32>(b"arenas.narenas\0") } {
        Ok(n) => n,
        Err(e) => {
            tracing::debug!("jemalloc: cannot read arenas.narenas: {e}");
            return;
        }
    };
    for arena in 0..arenas {
        let name = format!("arena.{arena}.dirty_decay_ms\0");
        if let Err(e) = unsafe { raw::write(name.as_bytes(), ms) } {
            tracing::debug!("jemalloc: cannot set arena {arena}'s decay to {ms} ms: {e}");
        }
    }
}
