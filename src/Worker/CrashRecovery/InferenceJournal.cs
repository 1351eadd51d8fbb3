using System.Text;
using Microsoft.Win32.SafeHandles;
using Predictions.Worker.Inference;

namespace Predictions.Worker.CrashRecovery;

/// <summary>
/// A small file naming the predictions in the model right now, a fixed block of lines per pool thread
/// (one line per input of its largest batch), written before and after each model call. A crash cannot take the last write back (the OS keeps it), so after a
/// worker died its successor reads which requests were in the model at that moment: the
/// <see cref="Suspects"/>, one of which probably killed it. Knowing them lets the worker compute them
/// one at a time, apart from the requests that were merely prefetched beside them.
/// </summary>
public sealed class InferenceJournal : IDisposable
{
    private const int LineBytes = 37; // a GUID ("D" format) and a newline
    private static readonly byte[] EmptyLine = Encoding.ASCII.GetBytes(new string(' ', LineBytes - 1) + "\n");

    private readonly FileStream _stream;
    private readonly SafeFileHandle _file;
    private readonly int _linesPerThread;
    private readonly byte[] _emptyBlock;

    private InferenceJournal(FileStream stream, IReadOnlySet<Guid> suspects, int linesPerThread)
    {
        _stream = stream;
        _file = stream.SafeFileHandle;
        _linesPerThread = linesPerThread;
        _emptyBlock = [.. Enumerable.Repeat(EmptyLine, linesPerThread).SelectMany(line => line)];
        Suspects = suspects;
    }

    /// <summary>The predictions that were in the model when the previous process using this file died.</summary>
    public IReadOnlySet<Guid> Suspects { get; }

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
            throw new InvalidOperationException($"{InferenceOptions.Section}:JournalFile '{path}' cannot be opened ({ex.Message}): each worker needs a file of its own.", ex);
        }

        var suspects = new HashSet<Guid>();
        using (var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true))
        {
            while (reader.ReadLine() is { } line)
            {
                if (Guid.TryParse(line.Trim(), out var id))
                {
                    suspects.Add(id);
                }
            }
        }

        stream.SetLength(0);
        for (var line = 0; line < threads * batchSize; line++)
        {
            stream.Write(EmptyLine);
        }

        stream.Flush();
        return new InferenceJournal(stream, suspects, batchSize);
    }

    /// <summary>Pool thread <paramref name="thread"/> is about to run the model for <paramref name="predictionIds"/>, one write for all.</summary>
    public void Enter(int thread, IReadOnlyList<Guid> predictionIds) =>
        Write(thread, Encoding.ASCII.GetBytes(string.Concat(predictionIds.Take(_linesPerThread).Select(id => id.ToString("D") + "\n"))));

    /// <summary>Pool thread <paramref name="thread"/> is out of the model, whatever the model did.</summary>
    public void Leave(int thread) => Write(thread, _emptyBlock);

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
            // a reason to fail a prediction. The work queue's delivery limit still ends a crash loop.
        }
    }
}
