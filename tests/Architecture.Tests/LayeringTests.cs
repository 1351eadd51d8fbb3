using Microsoft.CodeAnalysis;

namespace Predictions.Architecture.Tests;

public class LayeringTests
{
    // Partial methods a source generator implements ([LoggerMessage], [GeneratedRegex]): generators do not run here.
    private const string GeneratedPartial = "CS8795";

    public static TheoryData<string> Projects => [.. LayeringRules.Projects];

    public static TheoryData<string> Hosts => [.. LayeringRules.FolderMayUse.Keys];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Every_name_in_the_project_binds_so_no_dependency_goes_unseen(string project)
    {
        var errors = ProjectSources.Get(project).Compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && diagnostic.Id != GeneratedPartial)
            .Select(diagnostic => diagnostic.ToString());

        Assert.Empty(errors);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_namespaces_of_a_project_form_no_cycle(string project)
    {
        var graph = new FolderGraph(ProjectSources.Get(project));

        var cycles = graph.Cycles().Select(group => $"Predictions.{project}: {string.Join(" -> ", group.Cycle)}, through\n"
            + string.Concat(group.Uses.Select(use => $"    {use}\n")));

        Assert.True(!cycles.Any(), $"Namespaces in a cycle:\n{string.Concat(cycles)}");
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void A_host_folder_uses_only_the_folders_below_it(string host)
    {
        var rules = LayeringRules.FolderMayUse[host];
        var graph = new FolderGraph(ProjectSources.Get(host));

        var breaches = graph.Edges
            .Where(edge => edge.From != FolderGraph.Root)
            .Where(edge => !rules.TryGetValue(edge.From, out var allowed) || !allowed.Contains(edge.To))
            .Select(edge => rules.ContainsKey(edge.From)
                ? $"{host}/{edge.From} may not use {host}/{edge.To}: {edge.Use}\n"
                : $"{host}/{edge.From} has no layering rule: add it to LayeringRules.FolderMayUse ({edge.Use})\n");

        Assert.True(!breaches.Any(), string.Concat(breaches));
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_project_references_only_the_projects_below_it(string project)
    {
        var references = ProjectSources.Get(project).ProjectReferences;

        Assert.All(references, reference => Assert.Contains(reference, LayeringRules.ProjectMayReference[project]));
    }

    [Fact]
    public void Storage_knows_nothing_of_messages()
    {
        var storage = ProjectSources.Get("Storage");

        var uses = storage.Uses.Where(use => IsMessaging(use.To)).Select(use => $"{use}\n");

        Assert.True(!uses.Any(), $"Predictions.Storage uses messaging:\n{string.Concat(uses)}");
        Assert.DoesNotContain(storage.PackageReferences, package => package.StartsWith("MassTransit", StringComparison.Ordinal));
    }

    private static bool IsMessaging(string ns) =>
        ns is "MassTransit" or "Predictions.Messaging" or "RabbitMQ.Client"
        || ns.StartsWith("MassTransit.", StringComparison.Ordinal)
        || ns.StartsWith("Predictions.Messaging.", StringComparison.Ordinal)
        || ns.StartsWith("RabbitMQ.Client.", StringComparison.Ordinal);
}
