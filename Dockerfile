# One image for every role of a Serve cluster (see docker-compose.yml):
#   /app/samples  the gateway silo with the samples: ServeHost (HTTP gateway + admin API + Orleans silo), `dotnet Serve.Samples.dll`
#   /app/gateway  the bare gateway silo: `dotnet Serve.Gateway.dll` (deploy with `serve deploy` against its admin API)
#   /app/silo     the worker silo: `dotnet Serve.Silo.dll`, loading deployment assemblies from Serve__Assemblies__N
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Serve.Samples/Serve.Samples.csproj -c Release -o /app/samples \
 && dotnet publish Serve.Gateway/Serve.Gateway.csproj -c Release -o /app/gateway \
 && dotnet publish Serve.Silo/Serve.Silo.csproj -c Release -o /app/silo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app /app
# Every role reads Serve__Cluster__* from the environment; the default (Embedded) is one process.
ENTRYPOINT ["dotnet"]
CMD ["/app/samples/Serve.Samples.dll"]
