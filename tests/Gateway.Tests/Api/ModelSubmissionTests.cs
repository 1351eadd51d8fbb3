using Microsoft.AspNetCore.Http;
using Predictions.Contracts;
using Predictions.Gateway.Api;
using Predictions.Gateway.Routing;
using Predictions.Messaging.Catalog;
using Predictions.Messaging.Rollouts;

namespace Predictions.Gateway.Tests.Api;

/// <summary>Submissions naming a model, resolved by a catalog of doubling 1 and 2 (the default) and item-scorer 1.</summary>
public sealed class ModelSubmissionTests : IDisposable
{
    private const string Manifest = """{ "backend": "Simulated", "factor": 2, "cost": "00:00:00" }""";

    private readonly DirectoryInfo _catalog = Directory.CreateTempSubdirectory("gateway-catalog-");

    public ModelSubmissionTests()
    {
        foreach (var version in new[] { "doubling/1", "doubling/2", "item-scorer/1" })
        {
            var folder = Directory.CreateDirectory(Path.Combine([_catalog.FullName, .. version.Split('/')]));
            File.WriteAllText(Path.Combine(folder.FullName, "manifest.json"), Manifest);
        }
    }

    public void Dispose() => _catalog.Delete(recursive: true);

    [Theory]
    [InlineData("NoSuch")]
    [InlineData("doubling.2")]
    [InlineData("doubling:0")]
    [InlineData("")]
    [InlineData("nosuch")]
    [InlineData("doubling:3")]
    [InlineData("doubling:canary")]
    public async Task A_model_of_another_shape_or_not_in_the_catalog_is_400_naming_model_and_publishes_nothing(string model)
    {
        await using var host = await StartAsync();

        var answer = await host.SubmitAsync(Body(model));

        Assert.True(answer.Status == StatusCodes.Status400BadRequest, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(["model"], answer.FieldsAtFault);
        Assert.Empty(host.Broker.Attempts);
        Assert.Equal(["rejected"], host.Counted);
    }

    [Theory]
    [InlineData("item-scorer", "item-scorer", "1", "prediction-worker.item-scorer.1", RouteReasons.Alias)]
    [InlineData("doubling", "doubling", "2", "prediction-worker", RouteReasons.Alias)]
    [InlineData("doubling:stable", "doubling", "2", "prediction-worker", RouteReasons.Alias)]
    [InlineData("doubling:1", "doubling", "1", "prediction-worker.doubling.1", RouteReasons.Explicit)]
    [InlineData("doubling:2", "doubling", "2", "prediction-worker", RouteReasons.Explicit)]
    public async Task A_catalog_model_is_published_to_its_versions_lane_naming_the_version_and_why(
        string model, string name, string version, string queue, string route)
    {
        await using var host = await StartAsync();

        var answer = await host.SubmitAsync(Body(model));

        Assert.True(answer.Status == StatusCodes.Status202Accepted, answer.ToString());
        var published = Assert.Single(host.Published);
        Assert.Equal($"{name}:{version}", published.Model);
        var lane = Assert.Single(host.Broker.Lanes);
        var identity = new ModelIdentity { Name = name, Version = version };
        Assert.Equal(new ModelRouting.Lane(identity, $"{name}.{version}", queue, route), lane);
    }

    [Fact]
    public async Task A_request_naming_no_model_is_routed_to_the_default_version_and_published_naming_it()
    {
        await using var host = await StartAsync();

        var answer = await host.SubmitAsync("""{"itemId": 7, "featureValue": 2.5}""");

        Assert.True(answer.Status == StatusCodes.Status202Accepted, answer.ToString());
        Assert.Equal("doubling:2", Assert.Single(host.Published).Model);
        var lane = Assert.Single(host.Broker.Lanes);
        var identity = new ModelIdentity { Name = "doubling", Version = "2" };
        Assert.Equal(new ModelRouting.Lane(identity, "doubling.2", "prediction-worker", RouteReasons.Default), lane);
        Assert.True(lane!.IsWorkQueue);
    }

    [Fact]
    public async Task Without_a_catalog_a_request_naming_no_model_is_published_to_the_default_lane_as_it_is()
    {
        await using var host = await SubmissionHost.StartAsync();

        var answer = await host.SubmitAsync("""{"itemId": 7, "featureValue": 2.5}""");

        Assert.True(answer.Status == StatusCodes.Status202Accepted, answer.ToString());
        Assert.Null(Assert.Single(host.Published).Model);
        Assert.Null(Assert.Single(host.Broker.Lanes));
    }

    [Fact]
    public async Task A_model_no_worker_serves_is_422_model_not_served_naming_the_version_and_nothing_is_stored()
    {
        await using var host = await StartAsync();
        host.Broker.Answers = ScriptedBroker.Reply.LaneMissing;

        var answer = await host.SubmitAsync(Body("doubling:1"));

        Assert.True(answer.Status == StatusCodes.Status422UnprocessableEntity, answer.ToString());
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(ProblemTypes.ModelNotServed, answer.Body.GetProperty("type").GetString());
        Assert.Equal("tag:predictions.gateway,2026:model-not-served", ProblemTypes.ModelNotServed);
        Assert.Equal(["model"], answer.FieldsAtFault);
        Assert.Contains("doubling:1", answer.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single(host.Broker.Attempts);
        Assert.Empty(host.Published);
    }

    private static string Body(string model) => $$"""{"itemId": 7, "featureValue": 2.5, "model": "{{model}}"}""";

    private Task<SubmissionHost> StartAsync() => SubmissionHost.StartAsync(new Dictionary<string, string?>
    {
        [$"{CatalogOptions.Section}:Catalog"] = _catalog.FullName,
        [$"{CatalogOptions.Section}:Default"] = "doubling:2",
    });
}
