using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Predictions.Worker.Inference;

/// <summary>
/// The predictions in the model right now, one block per pool thread, in a file a crash cannot take back: after a worker died
/// its successor knows the <see cref="Suspects"/> and, per prediction, how often it was there (<see cref="CrashesOf"/>).
/// </summary>
public sealed class InferenceJournal : IDisposable
{
    private const int LineBytes = 37; // a GUID ("D" format) and a newline

    /// <summary>Predictions whose crashes are remembered; beyond it the oldest are forgotten.</summary>
    private const int RememberedCrashes = 1_000;
    private static readonly byte[] EmptyLine = Encoding.ASCII.GetBytes(new string(' ', LineBytes - 1) + "\n");

    private readonly FileStream _stream;
    private readonly SafeFileHandle _file;
    private readonly int _linesPerThread;
    private readonly byte[] _emptyBlock;

    private readonly IReadOnlyDictionary<Guid, int> _crashes;

    private InferenceJournal(FileStream stream, IReadOnlySet<Guid> suspects, IReadOnlyDictionary<Guid, int> crashes, int linesPerThread)
    {
        _crashes = crashes;
        _stream = stream;
        _file = stream.SafeFileHandle;
        _linesPerThread = linesPerThread;
        _emptyBlock = [.. Enumerable.Repeat(EmptyLine, linesPerThread).SelectMany(line => line)];
        Suspects = suspects;
    }

    /// <summary>The predictions that were in the model when the previous process using this file died.</summary>
    public IReadOnlySet<Guid> Suspects { get; }

    /// <summary>How many times <paramref name="predictionId"/> was in the model when a worker using this file died.</summary>
    public int CrashesOf(Guid predictionId) => _crashes.GetValueOrDefault(predictionId);

    /// <summary>
    /// Reads what the previous process left in <paramref name="path"/>, then clears it for <paramref name="threads"/>
    /// threads running batches of up to <paramref name="batchSize"/>. The file stays locked while this process
    /// runs: two workers cannot share one.
    /// </summary>
    public static InferenceJournal Open(string path, int threads, int batchSize = 1)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"{InferenceOptions.Section}:JournalFile '{path}' cannot be opened ({ex.Message}): each worker needs a file of its own.", ex);
        }

        // Lines of the blocks name what was in the model; lines after them, "id count", what crashed before.
        var suspects = new HashSet<Guid>();
        var crashes = new List<(Guid Id, int Count)>();
        using (var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true))
        {
            while (reader.ReadLine() is { } line)
            {
                if (Guid.TryParse(line.Trim(), out var id))
                {
                    suspects.Add(id);
                }
                else if (line.Split(' ', 2) is [var crashed, var count]
                    && Guid.TryParse(crashed, out id) && int.TryParse(count, out var times) && times > 0)
                {
                    crashes.RemoveAll(entry => entry.Id == id);
                    crashes.Add((id, times));
                }
            }
        }

        foreach (var suspect in suspects)
        {
            var before = crashes.FindIndex(entry => entry.Id == suspect) is var at and >= 0 ? crashes[at].Count : 0;
            crashes.RemoveAll(entry => entry.Id == suspect);
            crashes.Add((suspect, before + 1));
        }

        crashes = crashes[Math.Max(0, crashes.Count - RememberedCrashes)..];
        stream.SetLength(0);
        for (var line = 0; line < threads * batchSize; line++)
        {
            stream.Write(EmptyLine);
        }

        stream.Write(Encoding.ASCII.GetBytes(string.Concat(crashes.Select(entry => $"{entry.Id:D} {entry.Count}\n"))));
        stream.Flush(flushToDisk: true);
        return new InferenceJournal(stream, suspects, crashes.ToDictionary(entry => entry.Id, entry => entry.Count), batchSize);
    }

    /// <summary>Pool thread <paramref name="thread"/> is about to run the model for <paramref name="predictionIds"/>, one write for all.</summary>
    public void Enter(int thread, IReadOnlyList<Guid> predictionIds) =>
        Write(thread, Encoding.ASCII.GetBytes(string.Concat(predictionIds.Take(_linesPerThread).Select(id => id.ToString("D") + "\n"))));

    /// <summary>Pool thread <paramref name="thread"/> is out of the model, whatever the model did.</summary>
    public void Leave(int thread) => Write(thread, _emptyBlock);

    /// <summary>The largest batch each thread's block can name.</summary>
    public int BatchSize => _linesPerThread;

    public void Dispose() => _stream.Dispose();

    private void Write(int thread, byte[] bytes)
    {
        try
        {
            RandomAccess.Write(_file, bytes, (long)thread * _linesPerThread * LineBytes);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // A full disk, or a thread still running at shutdown: the journal is a diagnosis aid, never
            // a reason to fail a prediction. The bound on how often a request was returned still ends a crash loop.
        }
    }
}
