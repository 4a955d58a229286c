using System.Collections;
using System.Collections.Concurrent;
using Clearinghouse.Hashing;
using Clearinghouse.Hashing.Vpdq;
using Clearinghouse.Matching.Pdq;

namespace Clearinghouse.Matching.Vpdq;

/// <summary>
/// Videos by id, searchable by a query video (python-threatexchange's <c>VPDQIndex</c>): every distinct usable
/// frame hash of every video is stored once in an exact <see cref="PdqIndex"/>, mapped to the videos that contain it,
/// so a query costs one radius search per distinct query frame instead of a comparison with every indexed frame.
/// Results equal <see cref="VpdqBruteMatcher"/> against each indexed video.
/// </summary>
/// <remarks>
/// Any number of concurrent readers with one writer at a time (writers are serialised). A query running during a
/// write may see the video being added or removed partly; the next query sees it whole. A video without usable
/// frames (all of low quality) is kept but never matches.
/// </remarks>
public sealed class VpdqIndex : ISignalIndex<IReadOnlyList<VpdqFeature>>
{
    private readonly Lock _writeLock = new();
    private readonly PdqIndex _frames = new();

    // Writer-side: each distinct frame hash's slot (its id in _frames).
    private readonly Dictionary<Hash256, long> _slotOfHash = [];

    // Reader-visible: the videos holding each slot (arrays replaced, never changed), and each video's usable hashes.
    private readonly ConcurrentDictionary<long, long[]> _videosOfSlot = new();
    private readonly ConcurrentDictionary<long, Video> _videos = new();
    private long _nextSlot;

    public VpdqIndex(VpdqMatchOptions? options = null)
    {
        Options = options ?? VpdqMatchOptions.Default;
        Options.Validate();
    }

    public VpdqMatchOptions Options { get; }

    /// <summary>Number of videos.</summary>
    public int Count => _videos.Count;

    /// <summary>Number of distinct usable frame hashes over all videos.</summary>
    public int FrameHashCount => _frames.Count;

    public bool Contains(long id) => _videos.ContainsKey(id);

    /// <summary>Stores a video's frames under <paramref name="id"/>, replacing any video with that id.</summary>
    public void Add(long id, IReadOnlyList<VpdqFeature> value)
    {
        var usable = VpdqFrames.Usable(value, Options.QualityThreshold);
        lock (_writeLock)
        {
            RemoveLocked(id);
            var slots = new long[usable.Length];
            _videos[id] = new Video(usable, slots);
            for (int i = 0; i < usable.Length; i++)
            {
                if (_slotOfHash.TryGetValue(usable[i], out long slot))
                {
                    _videosOfSlot[slot] = [.. _videosOfSlot[slot], id];
                }
                else
                {
                    slot = _nextSlot++;
                    _slotOfHash.Add(usable[i], slot);
                    _videosOfSlot[slot] = [id];
                    _frames.Add(slot, usable[i]);
                }

                slots[i] = slot;
            }
        }
    }

    /// <inheritdoc />
    public IDisposable BeginBulkLoad() => _frames.BeginBulkLoad();

    public bool Remove(long id)
    {
        lock (_writeLock)
        {
            return RemoveLocked(id);
        }
    }

    /// <summary>
    /// Appends every video whose <see cref="VpdqMatchResult.Distance"/> (⌈100 − query match %⌉) is at most
    /// <paramref name="threshold"/> and whose own match percentage reaches <see cref="VpdqMatchOptions.IndexMatchPercent"/>;
    /// threshold 20 is python-threatexchange's "query match ≥ 80 %".
    /// </summary>
    public void Query(IReadOnlyList<VpdqFeature> value, int threshold, List<IndexMatch> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var all = new List<VpdqIndexMatch>();
        QueryAll(value, all);
        foreach (var match in all)
        {
            if (match.Result.Distance <= threshold && match.Result.ComparedMatchPercent >= Options.IndexMatchPercent)
            {
                results.Add(new IndexMatch(match.Id, match.Result.Distance));
            }
        }
    }

    /// <summary>The videos that match <paramref name="query"/> under <see cref="Options"/>, with their percentages.</summary>
    public List<VpdqIndexMatch> Query(IReadOnlyList<VpdqFeature> query)
    {
        var all = new List<VpdqIndexMatch>();
        QueryAll(query, all);
        all.RemoveAll(m => !m.Result.IsMatch(Options));
        return all;
    }

    /// <summary>Appends every video with at least one frame matching a frame of <paramref name="query"/>, whatever the percentages.</summary>
    public void QueryAll(IReadOnlyList<VpdqFeature> query, List<VpdqIndexMatch> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var queryHashes = VpdqFrames.Usable(query, Options.QualityThreshold);
        if (queryHashes.Length == 0)
        {
            return;
        }

        var frameMatches = new List<BatchMatch>();
        _frames.QueryBatch(queryHashes, Options.DistanceThreshold, frameMatches);

        var tallies = new Dictionary<long, Tally>();
        foreach (var match in frameMatches)
        {
            if (!_videosOfSlot.TryGetValue(match.Id, out var videos))
            {
                continue; // removed meanwhile
            }

            foreach (long video in videos)
            {
                if (!tallies.TryGetValue(video, out var tally))
                {
                    tally = new Tally(queryHashes.Length);
                    tallies.Add(video, tally);
                }

                tally.Add(match.Query, match.Id);
            }
        }

        foreach (var (id, tally) in tallies)
        {
            if (_videos.TryGetValue(id, out var video))
            {
                // Min: a video replaced during this query may have fewer frames than the slots it matched with.
                results.Add(new VpdqIndexMatch(id, new VpdqMatchResult(tally.QueryMatched, queryHashes.Length, Math.Min(tally.SlotsMatched, video.UsableFrames), video.UsableFrames)));
            }
        }
    }

    private bool RemoveLocked(long id)
    {
        if (!_videos.TryRemove(id, out var video))
        {
            return false;
        }

        for (int i = 0; i < video.Slots.Length; i++)
        {
            long slot = video.Slots[i];
            var remaining = Array.FindAll(_videosOfSlot[slot], v => v != id);
            if (remaining.Length > 0)
            {
                _videosOfSlot[slot] = remaining;
                continue;
            }

            _frames.Remove(slot);
            _videosOfSlot.TryRemove(slot, out _);
            _slotOfHash.Remove(video.Hashes[i]);
        }

        return true;
    }

    /// <summary>A video's usable distinct frame hashes and their slots.</summary>
    private sealed record Video(Hash256[] Hashes, long[] Slots)
    {
        public int UsableFrames => Hashes.Length;
    }

    /// <summary>For one indexed video: which query frames matched it, and how many of its own frames matched.</summary>
    private sealed class Tally(int queryFrames)
    {
        private readonly BitArray _queryHits = new(queryFrames);
        private readonly HashSet<long> _slots = [];

        public int QueryMatched { get; private set; }

        public int SlotsMatched => _slots.Count;

        public void Add(int queryFrame, long slot)
        {
            if (!_queryHits[queryFrame])
            {
                _queryHits[queryFrame] = true;
                QueryMatched++;
            }

            _slots.Add(slot);
        }
    }
}
