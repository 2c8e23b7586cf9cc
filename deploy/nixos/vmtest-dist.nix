# The vmtest distribution as a Nix package.
#
# Maven cannot fetch dependencies inside the Nix sandbox without a pinned dependency hash, so this packages
# the distribution the project's own build makes, unchanged:
#
#   ./mvnw -B -DskipTests package -pl cli -am      # cli/target/vmtest-cli.jar and cli/target/lib/
#
#   services.vmtest-worker.package = pkgs.callPackage ./vmtest-dist.nix { dist = ./path/to/cli/target; };
#
# `dist` is that folder (or a copy of it holding vmtest-cli.jar and lib/). The result has
# share/vmtest/vmtest-cli.jar with its lib/ beside it (the jar's manifest names them relative to itself) and
# bin/vmtest, the command line on the given JDK.
{ lib, stdenvNoCC, makeWrapper, jdk17_headless, dist, version ? "0.1.0-SNAPSHOT" }:

stdenvNoCC.mkDerivation {
  pname = "vmtest";
  inherit version;
  src = lib.cleanSourceWith {
    src = dist;
    # only what runs: the jar and its libraries, not classes/, test reports or other build leftovers
    filter = path: type:
      let rel = lib.removePrefix (toString dist + "/") (toString path);
      in rel == "vmtest-cli.jar" || rel == "lib" || lib.hasPrefix "lib/" rel;
  };
  nativeBuildInputs = [ makeWrapper ];
  dontConfigure = true;
  dontBuild = true;
  installPhase = ''
    runHook preInstall
    test -f vmtest-cli.jar || { echo "vmtest-dist: $src has no vmtest-cli.jar (run ./mvnw -B -DskipTests package -pl cli -am)" >&2; exit 1; }
    test -d lib || { echo "vmtest-dist: $src has no lib/ beside vmtest-cli.jar" >&2; exit 1; }
    mkdir -p $out/share/vmtest $out/bin
    cp vmtest-cli.jar $out/share/vmtest/
    cp -r lib $out/share/vmtest/lib
    makeWrapper ${jdk17_headless}/bin/java $out/bin/vmtest --add-flags "-jar $out/share/vmtest/vmtest-cli.jar"
    runHook postInstall
  '';
  meta = {
    description = "vmtest: installs and tests operating-system configurations in real virtual machines";
    mainProgram = "vmtest";
    platforms = lib.platforms.linux;
  };
}
