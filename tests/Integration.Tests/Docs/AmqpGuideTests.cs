using System.Text.Json;
using System.Text.RegularExpressions;
using Predictions.Contracts;
using Predictions.Harness;
using Predictions.Integration.Tests.Infrastructure;
using Predictions.Messaging.Tracing;

namespace Predictions.Integration.Tests.Docs;

/// <summary>The examples in docs/amqp.md, run as written against the real system.</summary>
[Collection(BrokerCollection.Name)]
public sealed partial class AmqpGuideTests(BrokerFixture fixture)
{
    private static readonly string Guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "amqp.md"));
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task The_python_example_publishes_a_request_and_prints_its_result()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        await system.StartGatewayAsync();
        var script = Path.Combine(system.DataFolder, "predict.py");
        await File.WriteAllTextAsync(script, CodeBlock("python"));

        var (exitCode, output) = await Command.RunAsync(
            Python(), [script], new Dictionary<string, string> { ["AMQP_URL"] = system.Broker.AmqpUri.ToString() }, Timeout);

        Assert.True(exitCode == 0, output);
        var id = PublishedLine().Match(output).Groups["id"].Value;
        Assert.Matches("\"prediction\": 10(\\.0)?\\b", output);
        var polled = await system.WaitForOutcomeAsync(id, Timeout);
        Assert.Equal("completed", polled.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_command_line_example_publishes_a_request_and_prints_its_result()
    {
        await using var system = await PredictionSystem.CreateAsync(fixture.Broker);
        await system.StartWorkerAsync(Settings.QuickModel);
        var management = system.Broker.Owner.ManagementUri.ToString().TrimEnd('/');
        var script = CodeBlock("sh", after: "## The command line")
            .Replace("amqp://guest:guest@localhost:5672", system.Broker.AmqpUri.ToString().TrimEnd('/'), StringComparison.Ordinal)
            .Replace("http://localhost:15672", management, StringComparison.Ordinal)
            .Replace("%2F", Uri.EscapeDataString(system.Broker.Name), StringComparison.Ordinal);

        var (exitCode, output) = await Command.RunAsync("/bin/sh", ["-e", "-c", script], new Dictionary<string, string>(), Timeout);

        Assert.True(exitCode == 0, output);
        var message = JsonDocument.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..]).RootElement.GetProperty("message");
        Assert.Equal("3f0e6a2c-5d6b-4b8e-9d43-2a51f8d2b1c7", message.GetProperty("predictionId").GetString());
        Assert.Equal(10, message.GetProperty("prediction").GetDouble());
    }

    [Fact]
    public async Task The_tracing_example_sends_the_header_the_worker_continues_a_trace_from()
    {
        var section = Guide[Guide.IndexOf("## Tracing a published request", StringComparison.Ordinal)..];
        var script = CodeBlock("python", after: "## Tracing a published request");

        // The propagator writes W3C trace context under this name; the worker reads a publisher's trace from it.
        Assert.Equal("traceparent", PredictionConsumeFilter<PredictionRequest>.TraceParentHeader);
        Assert.Contains(
            $"`{PredictionConsumeFilter<PredictionRequest>.TraceParentHeader}`",
            section[..section.IndexOf("```", StringComparison.Ordinal)],
            StringComparison.Ordinal);
        Assert.Contains("TraceContextTextMapPropagator().inject(headers)", script, StringComparison.Ordinal);
        Assert.Contains("headers=headers", script, StringComparison.Ordinal);
        Assert.Contains("exchange=\"prediction-requests\"", script, StringComparison.Ordinal);

        // Valid Python as written (parsed, not run: it needs a configured OpenTelemetry SDK and the script above it).
        var file = Path.Combine(Path.GetTempPath(), $"amqp-guide-tracing-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(file, script);
        try
        {
            var (exitCode, output) = await Command.RunAsync(
                Python(), ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read())", file], new Dictionary<string, string>(), Timeout);
            Assert.True(exitCode == 0, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The first fenced block of <paramref name="language"/>, optionally the first after a heading.</summary>
    private static string CodeBlock(string language, string? after = null)
    {
        var text = after is null ? Guide : Guide[Guide.IndexOf(after, StringComparison.Ordinal)..];
        var match = Regex.Match(text, $"```{language}\\n(?<code>.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/amqp.md has no {language} block{(after is null ? "" : $" after '{after}'")}");
        return match.Groups["code"].Value;
    }

    // Debian's interpreter has Debian's python3-pika; another python3 earlier on PATH may not.
    private static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    [GeneratedRegex("published (?<id>[0-9a-f-]{36})")]
    private static partial Regex PublishedLine();
}
