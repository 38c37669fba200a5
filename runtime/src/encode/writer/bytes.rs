//! Byte primitives of the writer: small copies, NUL-terminated names and
//! UTF-8 character boundaries.

/// Copies `src` to `dst`. Most copies here are a few bytes (length prefixes,
/// numbers, short names): those use at most two overlapping unaligned moves
/// instead of a call to `memcpy`.
///
/// # Safety
/// `dst` must be valid for `src.len()` bytes of writes, not overlapping `src`.
#[inline(always)]
pub(crate) unsafe fn copy_small(src: &[u8], dst: *mut u8) {
    let len = src.len();
    let s = src.as_ptr();
    // SAFETY: every read is within `src`, every write within `dst[..len]`.
    unsafe {
        if (8..=16).contains(&len) {
            let head = s.cast::<u64>().read_unaligned();
            let tail = s.add(len - 8).cast::<u64>().read_unaligned();
            dst.cast::<u64>().write_unaligned(head);
            dst.add(len - 8).cast::<u64>().write_unaligned(tail);
        } else if (4..8).contains(&len) {
            let head = s.cast::<u32>().read_unaligned();
            let tail = s.add(len - 4).cast::<u32>().read_unaligned();
            dst.cast::<u32>().write_unaligned(head);
            dst.add(len - 4).cast::<u32>().write_unaligned(tail);
        } else if (2..4).contains(&len) {
            let head = s.cast::<u16>().read_unaligned();
            let tail = s.add(len - 2).cast::<u16>().read_unaligned();
            dst.cast::<u16>().write_unaligned(head);
            dst.add(len - 2).cast::<u16>().write_unaligned(tail);
        } else if len == 1 {
            *dst = *s;
        } else if len > 16 {
            std::ptr::copy_nonoverlapping(s, dst, len);
        }
    }
}

/// `bytes` up to its first NUL (metadata names are NUL-terminated). Looks at
/// eight bytes per step: names are scanned for every field of every event.
#[inline(always)]
pub(crate) fn until_nul(bytes: &[u8]) -> &[u8] {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_ne_bytes(word);
        // Non-zero exactly when some byte of `v` is zero.
        if v.wrapping_sub(LOW) & !v & HIGH != 0 {
            break;
        }
        offset += 8;
    }
    let end = bytes[offset..]
        .iter()
        .position(|&b| b == 0)
        .map_or(bytes.len(), |i| offset + i);
    &bytes[..end]
}

/// The largest `n <= max` that does not split a UTF-8 character of `bytes`.
pub(super) fn floor_char_boundary(bytes: &[u8], max: usize) -> usize {
    if max >= bytes.len() {
        return bytes.len();
    }
    let mut n = max;
    while n > 0 && (bytes[n] & 0xC0) == 0x80 {
        n -= 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::seal::LargeStorage;
    use crate::encode::writer::bytes_of;

    #[test]
    fn names_stop_at_their_first_nul() {
        for n in 0..20 {
            let mut name = vec![b'a'; 20];
            name[n] = 0;
            assert_eq!(until_nul(&name).len(), n);
        }
        assert_eq!(until_nul(b"abcdefghijkl"), b"abcdefghijkl");
        assert_eq!(until_nul("ééééééééé".as_bytes()).len(), 18);
        assert_eq!(
            until_nul(&[0x80, 0xff, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0x10, 0x00]).len(),
            8
        );
    }

    #[test]
    fn small_copies_of_every_length_land_intact() {
        let source: Vec<u8> = (0..=40u8).collect();
        for len in 0..=40 {
            let mut storage = LargeStorage::new();
            let mut w = storage.writer();
            w.data.value(&[0xAA]);
            w.data.value(&source[..len]);
            w.data.value(&[0xBB]);
            let mut expected = vec![0xAA];
            expected.extend_from_slice(&source[..len]);
            expected.push(0xBB);
            assert_eq!(bytes_of(&w), expected, "len {len}");
        }
    }
}
