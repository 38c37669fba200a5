//! The layer's per-call-site table: what a `tracing` call site's events are
//! written with (tracepoint, level, name, PartC metadata), built once when the
//! call site registers and found again per event without a lock.
//!
//! `tracing` gives a call site no slot for a subscriber's data, so the table
//! is an open-addressing hash table keyed by the address of the call site's
//! `&'static Metadata`: a fixed array of slots, each a key word and a pointer
//! to the call site's [`Site`]. Filling a slot takes a compare-and-swap of its
//! key, then a release store of the pointer; finding one is a hash of the
//! address and, usually, two acquire loads. A call site that finds no free
//! slot within `PROBES` slots from its hash (a run of that many taken slots:
//! only with thousands of call sites, and possibly while other slots are still
//! free) still has every event written: its [`Site`] is then built on the
//! stack per event, and the call site counted (`call_sites_uncached`). At most `SLOTS`
//! call sites are held.

use super::constants::SiteConstants;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use tracing_core::Metadata;
use tracing_core::field::FieldSet;

use crate::Level;
use crate::encode::seal::LargeStorage;
use crate::output::{At, Counters, Output};

use super::visitor::Kind;

/// Slots of the table: a power of two. 4,096 slots take 64 KB per layer.
pub(super) const SLOTS: usize = 4096;
/// Slots probed before a lookup or an insertion gives up.
const PROBES: usize = SLOTS * 3 / 4;

/// One call site (an event's or a span's), as the layer writes it.
pub(super) struct Site {
    /// The layer's output.
    pub(super) output: Arc<Output>,
    /// The index of the call site's keyword among the output's sets.
    pub(super) set: usize,
    /// The EventHeader level (the tracepoint `<Provider>_L<level>K<keyword>`).
    pub(super) level: Level,
    /// PartB `severityNumber`: `tracing`'s level as OpenTelemetry numbers it.
    pub(super) severity_number: i16,
    /// PartB `severityText`: `tracing`'s level name (`"INFO"`).
    pub(super) severity_text: &'static str,
    /// The EventHeader event name and PartB `name`.
    pub(super) name: &'static str,
    /// The call site's fields (their names, for metadata).
    pub(super) fields: &'static FieldSet,
    /// The index of the `message` field, written as PartB `body`.
    pub(super) message: Option<usize>,
    /// PartC's metadata for the field types of the first event written, reused
    /// by every later event whose fields have the same types.
    pub(super) part_c: OnceLock<PartCLayout>,
    /// What the call site fixes, laid out once, unless the name is too long.
    pub(super) constants: Option<SiteConstants>,
    /// Whether the site is the table's (else built for one event: its
    /// PartC layout is not worth building).
    pub(super) cached: bool,
}

impl Site {
    /// The enable word of the call site's tracepoint.
    #[inline(always)]
    pub(super) fn word(&self) -> &std::sync::atomic::AtomicU32 {
        self.output.sets()[self.set].word(self.level)
    }

    /// The call site's tracepoint, as the output writes to it.
    #[inline(always)]
    pub(super) fn at(&self) -> At<'_> {
        self.output.sets()[self.set].at(self.level)
    }
}

/// PartC's metadata bytes for one list of fields, and that list.
pub(super) struct PartCLayout {
    /// `(field index, kind)` of each member, in order.
    pub(super) fields: Box<[(u16, Kind)]>,
    /// The same as [`member_key`]s: one comparison a member.
    pub(super) keys: Box<[u32]>,
    /// The struct's metadata: `PartC`, its member count, each member's name,
    /// encoding and format.
    pub(super) meta: Box<[u8]>,
}

impl PartCLayout {
    /// Builds the metadata of `fields` (index in `names`, kind), once per call site.
    #[cold]
    #[inline(never)]
    pub(super) fn new(names: &'static FieldSet, fields: &[(u16, Kind)]) -> PartCLayout {
        let mut storage = LargeStorage::new();
        let mut w = storage.writer();
        let at = w.meta.structure_counted_later("PartC");
        for &(index, kind) in fields {
            let (encoding, format) = kind.encoding();
            w.meta.field(name_of(names, index), encoding, format);
        }
        w.meta.set_count(at, fields.len() as u8);
        let mut meta = Vec::with_capacity(w.meta.len());
        w.for_each_slice(|s| meta.extend_from_slice(s));
        PartCLayout {
            fields: fields.into(),
            keys: fields
                .iter()
                .map(|&(i, k)| member_key(i.into(), k))
                .collect(),
            meta: meta.into_boxed_slice(),
        }
    }

    /// Whether these are the fields the layout was built for.
    #[inline(always)]
    pub(super) fn matches(&self, fields: &[(u16, Kind)]) -> bool {
        *self.fields == *fields
    }
}

/// A PartC member, field `index` of `kind`, as one number.
#[inline(always)]
pub(super) fn member_key(index: usize, kind: Kind) -> u32 {
    (index as u32) << 8 | kind as u32
}

/// The table. Sites are freed with it.
pub(super) struct Callsites {
    slots: Box<[Slot]>,
}

#[derive(Default)]
struct Slot {
    /// The address of the call site's metadata; 0 while free.
    key: AtomicUsize,
    /// The call site's [`Site`], null until it is built.
    site: AtomicPtr<Site>,
}

impl Callsites {
    pub(super) fn new() -> Callsites {
        Callsites {
            slots: (0..SLOTS).map(|_| Slot::default()).collect(),
        }
    }

    /// The site of the call site whose metadata is `meta`, if it is in the table.
    #[inline(always)]
    pub(super) fn find(&self, meta: &Metadata<'_>) -> Option<&Site> {
        self.find_key(key_of(meta))
    }

    /// [`Callsites::find`] by key (the tests choose keys whose hashes they know).
    #[inline(always)]
    fn find_key(&self, key: usize) -> Option<&Site> {
        let mut i = hash(key);
        for _ in 0..PROBES {
            let slot = &self.slots[i];
            let k = slot.key.load(Ordering::Acquire);
            if k == key {
                // SAFETY: a non-null pointer was stored by `insert` from a leaked
                // Box that lives until the table is dropped, and `&self` keeps
                // the table alive.
                return unsafe { slot.site.load(Ordering::Acquire).as_ref() };
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & (SLOTS - 1);
        }
        None
    }

    /// Puts the site `make` builds in the table for `meta` (once: a call site
    /// already there keeps its site) and returns the one in the table; `None`
    /// when the table is full or another thread is building it right now.
    pub(super) fn insert(
        &self,
        meta: &'static Metadata<'static>,
        make: impl FnOnce() -> Site,
        counters: &Counters,
    ) -> Option<&Site> {
        self.insert_key(key_of(meta), make, counters)
    }

    /// [`Callsites::insert`] by key: `key` is the address of a `'static`
    /// metadata (never 0), or a test's.
    fn insert_key(
        &self,
        key: usize,
        make: impl FnOnce() -> Site,
        counters: &Counters,
    ) -> Option<&Site> {
        let mut i = hash(key);
        for _ in 0..PROBES {
            let slot = &self.slots[i];
            match slot
                .key
                .compare_exchange(0, key, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    let site = Box::into_raw(Box::new(make()));
                    slot.site.store(site, Ordering::Release);
                    // SAFETY: just leaked; freed only when the table is dropped.
                    return Some(unsafe { &*site });
                }
                Err(k) if k == key => {
                    // SAFETY: as in `find`.
                    return unsafe { slot.site.load(Ordering::Acquire).as_ref() };
                }
                Err(_) => i = (i + 1) & (SLOTS - 1),
            }
        }
        counters.call_site_uncached();
        None
    }
}

impl Drop for Callsites {
    fn drop(&mut self) {
        for slot in self.slots.iter() {
            let site = slot.site.swap(std::ptr::null_mut(), Ordering::AcqRel);
            if !site.is_null() {
                // SAFETY: leaked by `insert` with `Box::into_raw`, freed once
                // (swapped out), and nothing borrows the table any more.
                drop(unsafe { Box::from_raw(site) });
            }
        }
    }
}

/// The name of field `index` of `names` (`""` for an index it does not have).
pub(super) fn name_of(names: &'static FieldSet, index: u16) -> &'static str {
    names
        .iter()
        .nth(index as usize)
        .map_or("", |field| field.name())
}

#[inline(always)]
fn key_of(meta: &Metadata<'_>) -> usize {
    meta as *const Metadata<'_> as usize
}

/// Fibonacci hashing of the address (its low bits are alignment).
#[inline(always)]
fn hash(key: usize) -> usize {
    ((key as u64 >> 3).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - SLOTS.trailing_zeros()))
        as usize
}

#[cfg(test)]
mod tests {
    use tracing_core::callsite::{Callsite, Identifier};
    use tracing_core::field::FieldSet;
    use tracing_core::metadata::Kind as MetaKind;
    use tracing_core::subscriber::Interest;

    use super::*;
    use crate::output::{EventLimit, OutputKind, Tracepoints};

    struct NoCallsite;
    static NO_CALLSITE: NoCallsite = NoCallsite;
    impl Callsite for NoCallsite {
        fn set_interest(&self, _: Interest) {}
        fn metadata(&self) -> &Metadata<'_> {
            unreachable!("never registered")
        }
    }

    /// A call site's metadata with a `'static` address of its own.
    fn metadata(name: &'static str) -> &'static Metadata<'static> {
        Box::leak(Box::new(Metadata::new(
            name,
            "test",
            tracing_core::Level::INFO,
            None,
            None,
            None,
            FieldSet::new(&[], Identifier(&NO_CALLSITE)),
            MetaKind::EVENT,
        )))
    }

    fn output(name: &str) -> Arc<Output> {
        let name = otel_user_events_abi::name::ProviderName::new(name).unwrap();
        let tracepoints = Tracepoints::register_through(None, name, &[1]);
        Output::new(tracepoints, OutputKind::Layer, EventLimit::Kernel)
    }

    fn site(output: &Arc<Output>, name: &'static str) -> Site {
        Site {
            output: Arc::clone(output),
            set: 0,
            level: Level::Info,
            severity_number: 9,
            severity_text: "INFO",
            name,
            fields: metadata(name).fields(),
            message: None,
            part_c: OnceLock::new(),
            constants: None,
            cached: true,
        }
    }

    #[test]
    fn sites_are_found_by_their_metadata_and_built_once() {
        let output = output("TableTest");
        let table = Callsites::new();
        let counters = Counters::default();
        let (a, b) = (metadata("a"), metadata("b"));
        assert!(table.find(a).is_none());
        assert_eq!(
            table
                .insert(a, || site(&output, "a"), &counters)
                .unwrap()
                .name,
            "a"
        );
        // A second insertion keeps the first site and builds nothing.
        let again = table
            .insert(a, || unreachable!("built twice"), &counters)
            .unwrap();
        assert_eq!(again.name, "a");
        assert!(table.find(b).is_none());
        table.insert(b, || site(&output, "b"), &counters);
        assert_eq!(table.find(a).unwrap().name, "a");
        assert_eq!(table.find(b).unwrap().name, "b");
        // Metadata equal in content but elsewhere is another call site.
        assert!(table.find(metadata("a")).is_none());
        assert_eq!(counters.snapshot().call_sites_uncached, 0);
        output.release();
    }

    /// Keys (multiples of 8, as addresses of metadata are) whose hash is
    /// `slot`, the first `n` of them in increasing order: the same every run.
    fn keys_hashing_to(slot: usize, n: usize) -> Vec<usize> {
        (1..)
            .map(|k| k * 8)
            .filter(|&k| hash(k) == slot)
            .take(n)
            .collect()
    }

    /// One key for each slot of the table, in slot order.
    fn one_key_per_slot() -> Vec<usize> {
        let mut keys = vec![0usize; SLOTS];
        let mut missing = SLOTS;
        for key in (1..).map(|k| k * 8) {
            let slot = &mut keys[hash(key)];
            if *slot == 0 {
                *slot = key;
                missing -= 1;
                if missing == 0 {
                    break;
                }
            }
        }
        keys
    }

    #[test]
    fn a_full_table_holds_every_slot_then_counts_the_call_sites_it_cannot_hold() {
        let output = output("TableFull");
        let table = Callsites::new();
        let counters = Counters::default();
        let make = || site(&output, "x");
        // Every key lands on a slot of its own: all SLOTS are held.
        let keys = one_key_per_slot();
        for &key in &keys {
            assert!(
                table.insert_key(key, make, &counters).is_some(),
                "key {key:#x}"
            );
        }
        assert_eq!(counters.snapshot().call_sites_uncached, 0);
        assert!(keys.iter().all(|&key| table.find_key(key).is_some()));
        // One more call site finds no slot at all, and is counted.
        let extra = (1..).map(|k| k * 8).find(|k| !keys.contains(k)).unwrap();
        assert!(table.insert_key(extra, make, &counters).is_none());
        assert!(table.find_key(extra).is_none());
        assert_eq!(counters.snapshot().call_sites_uncached, 1);
        output.release();
    }

    #[test]
    fn a_call_site_whose_probe_run_is_taken_is_left_out_while_other_slots_are_free() {
        let output = output("TableRun");
        let table = Callsites::new();
        let counters = Counters::default();
        // PROBES + 1 call sites hash to slot 7: the first PROBES take slots
        // 7..7 + PROBES, the next one probes exactly those and gives up.
        let keys = keys_hashing_to(7, PROBES + 1);
        let (held, left_out) = keys.split_at(PROBES);
        for &key in held {
            assert!(
                table
                    .insert_key(key, || site(&output, "run"), &counters)
                    .is_some()
            );
        }
        assert!(
            table
                .insert_key(left_out[0], || unreachable!("no slot"), &counters)
                .is_none()
        );
        assert_eq!(counters.snapshot().call_sites_uncached, 1);
        assert!(held.iter().all(|&key| table.find_key(key).is_some()));
        assert!(table.find_key(left_out[0]).is_none());
        // The table is not full: a call site hashing just past the run is held.
        let after = keys_hashing_to(7 + PROBES, 1)[0];
        assert!(
            table
                .insert_key(after, || site(&output, "after"), &counters)
                .is_some()
        );
        assert_eq!(table.find_key(after).unwrap().name, "after");
        assert_eq!(counters.snapshot().call_sites_uncached, 1);
        output.release();
    }

    #[test]
    fn the_hash_stays_in_the_table() {
        for key in [0usize, 8, 16, usize::MAX, 0x7fff_dead_beef] {
            assert!(hash(key) < SLOTS);
        }
        // Neighbouring metadata statics land in different slots.
        assert_ne!(hash(0x1000), hash(0x1040));
    }
}
