using Serve.Diagnostics;
using Serve.Routing;

namespace Serve.Tests.Diagnostics;

/// <summary>The near names an error suggests for a misspelled deployment, application or route prefix.</summary>
public sealed class NearNamesTests
{
    [Theory]
    [InlineData("Tranlator", "Translator")]   // a letter missing
    [InlineData("translator", "Translator")]  // case alone
    [InlineData("Trasnlator", "Translator")]  // two neighbours swapped
    [InlineData("Translatorr", "Translator")] // a letter more
    public void Find_OneEditAway_SuggestsIt(string asked, string expected)
    {
        Assert.Equal([expected], NearNames.Find(asked, ["Summarizer", "Translator", "Tokenizer"]));
    }

    [Fact]
    public void Find_NothingNear_Empty()
    {
        Assert.Empty(NearNames.Find("Embedder", ["Summarizer", "Translator"]));
    }

    [Fact]
    public void Find_ShortName_AllowsOneEditOnly()
    {
        Assert.Equal(["api"], NearNames.Find("apo", ["api", "xyz"]));
        Assert.Empty(NearNames.Find("ab", ["xy"]));
    }

    [Fact]
    public void Find_SeveralNear_NearestFirstAtMostThree()
    {
        var near = NearNames.Find("model", ["Model", "model1", "model2", "model3", "modal"]);

        Assert.Equal(["Model", "modal", "model1"], near);
    }

    [Fact]
    public void Find_TheNameItself_NotSuggested()
    {
        Assert.Empty(NearNames.Find("Translator", ["Translator"]));
    }

    [Fact]
    public void Suggest_NoneNear_ListsWhatExists()
    {
        Assert.Equal("Its deployments: A, B.", NearNames.Suggest("Embedder", ["B", "A"], "Its deployments", "deployments in it"));
        Assert.Equal("there are no applications running.", NearNames.Suggest("default", [], "Applications", "applications running"));
    }

    [Theory]
    [InlineData("/shpo/items", "/shop")]
    [InlineData("/SHOP", "/shop")]
    [InlineData("/v1/aip/x", "/v1/api")]
    public void FindPrefixes_PathNearlyUnderAPrefix_SuggestsIt(string path, string expected)
    {
        Assert.Equal([expected], NearNames.FindPrefixes(path, ["/", "/shop", "/v1/api", "/admin"]));
    }

    [Fact]
    public void FindPrefixes_NothingNear_Empty()
    {
        Assert.Empty(NearNames.FindPrefixes("/nowhere", ["/", "/shop"]));
    }

    [Fact]
    public void WhatExists_DeploymentMisspelled_NamesTheApplicationTheGuessAndTheList()
    {
        var status = new ServeStatus
        {
            Applications = new Dictionary<string, ApplicationStatus>
            {
                ["default"] = new()
                {
                    Name = "default", State = ApplicationState.Running, IngressDeployment = "Api",
                    Deployments = new Dictionary<string, DeploymentStatus> { ["Api"] = Status("Api"), ["Translator"] = Status("Translator") },
                },
            },
        };

        Assert.Equal("no deployment 'Tranlator' in application 'default'; did you mean 'Translator'? Its deployments: Api, Translator.",
            DeploymentNames.WhatExists(new DeploymentId("default", "Tranlator"), status));
        Assert.Equal("no application 'defualt' is running; did you mean 'default'? Applications: default.",
            DeploymentNames.WhatExists(new DeploymentId("defualt", "Translator"), status));
    }

    private static DeploymentStatus Status(string name) => new() { Name = name, State = DeploymentState.Healthy };
}
