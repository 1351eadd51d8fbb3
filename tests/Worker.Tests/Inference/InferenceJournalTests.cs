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
            using (var journal = InferenceJournal.Open(path, threads: 2))
            {
                Assert.Empty(journal.Suspects);
                journal.Enter(0, [finished]);
                journal.Enter(1, [inModel]);
                journal.Leave(0);
            }

            using (var next = InferenceJournal.Open(path, threads: 3))
            {
                Assert.Equal([inModel], next.Suspects);
            }

            using var third = InferenceJournal.Open(path, threads: 3);
            Assert.Empty(third.Suspects);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_input_of_a_batch_in_the_model_is_suspect_and_a_finished_batch_leaves_nothing_behind()
    {
        var path = Path.GetTempFileName();
        try
        {
            Guid[] batch = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];
            Guid earlier = Guid.NewGuid(), later = Guid.NewGuid();
            using (var journal = InferenceJournal.Open(path, threads: 2, batchSize: 3))
            {
                journal.Enter(0, [earlier, Guid.NewGuid(), Guid.NewGuid()]);
                journal.Leave(0);
                journal.Enter(0, [later]);
                journal.Enter(1, batch);
            }

            using var next = InferenceJournal.Open(path, threads: 2, batchSize: 3);
            Assert.Equal(batch.Append(later).Order(), next.Suspects.Order());
            Assert.DoesNotContain(earlier, next.Suspects);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Each_death_with_a_prediction_in_the_model_adds_to_its_count_which_later_starts_remember()
    {
        var path = Path.GetTempFileName();
        try
        {
            Guid poison = Guid.NewGuid(), once = Guid.NewGuid();
            using (var journal = InferenceJournal.Open(path, threads: 2))
            {
                journal.Enter(0, [poison]);
                journal.Enter(1, [once]);
            }

            for (var death = 2; death <= 3; death++)
            {
                using var next = InferenceJournal.Open(path, threads: 2);
                next.Enter(1, [poison]);
            }

            // A start with another pool size reads the counts all the same, and a clean stop adds nothing.
            using (var fourth = InferenceJournal.Open(path, threads: 3, batchSize: 2))
            {
                Assert.Equal(3, fourth.CrashesOf(poison));
                Assert.Equal(1, fourth.CrashesOf(once));
                Assert.Equal(0, fourth.CrashesOf(Guid.NewGuid()));
                Assert.Equal([poison], fourth.Suspects);
            }

            using var fifth = InferenceJournal.Open(path, threads: 1);
            Assert.Equal(3, fifth.CrashesOf(poison));
            Assert.Empty(fifth.Suspects);
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
            using var first = InferenceJournal.Open(path, threads: 1);
            var refused = Assert.Throws<InvalidOperationException>(() => InferenceJournal.Open(path, threads: 1));
            Assert.Contains("Inference:JournalFile", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A journal for tests that never look at it: its file is gone as soon as it is open.</summary>
    internal static InferenceJournal Scratch(int threads, int batchSize = 1)
    {
        var path = Path.GetTempFileName();
        var journal = InferenceJournal.Open(path, threads, batchSize);
        File.Delete(path);
        return journal;
    }
}
