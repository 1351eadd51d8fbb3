using Predictions.Worker.Inference;

namespace Predictions.Worker.Tests.Inference;

public sealed class InferenceJournalTests
{
    [Fact]
    public void What_was_in_the_model_when_the_process_ended_is_suspect_on_the_next_start_and_only_then()
    {
        var path = Path.GetTempFileName();
        try
        {
            Guid inModel = Guid.NewGuid(), finished = Guid.NewGuid();
            using (var journal = InferenceJournal.Open(path, slots: 2))
            {
                Assert.Empty(journal.Suspects);
                journal.Enter(0, finished);
                journal.Enter(1, inModel);
                journal.Leave(0);
            }

            using (var next = InferenceJournal.Open(path, slots: 3))
            {
                Assert.Equal([inModel], next.Suspects);
            }

            using var third = InferenceJournal.Open(path, slots: 3);
            Assert.Empty(third.Suspects);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Two_workers_cannot_share_one_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var first = InferenceJournal.Open(path, slots: 1);
            var refused = Assert.Throws<InvalidOperationException>(() => InferenceJournal.Open(path, slots: 1));
            Assert.Contains("Inference:JournalFile", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A journal for tests that never look at it: its file is gone as soon as it is open.</summary>
    internal static InferenceJournal Scratch(int slots)
    {
        var path = Path.GetTempFileName();
        var journal = InferenceJournal.Open(path, slots);
        File.Delete(path);
        return journal;
    }
}
