package org.vmtest.coordinator.tasks;

import io.dropwizard.servlets.tasks.Task;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.vmtest.coordinator.api.ProfileList;
import org.vmtest.coordinator.core.ProfileCatalogue;

/** {@code POST /tasks/reload-profiles} on the admin port: reads the profile directory again now. */
public final class ReloadProfilesTask extends Task {
    private final ProfileCatalogue catalogue;

    public ReloadProfilesTask(ProfileCatalogue catalogue) {
        super("reload-profiles");
        this.catalogue = catalogue;
    }

    @Override
    public void execute(Map<String, List<String>> parameters, PrintWriter output) {
        ProfileList list = catalogue.reload();
        output.printf("%d profile(s) loaded from %s%n", list.profiles().size(), catalogue.dir());
        list.errors().forEach(e -> output.printf("error: %s%n", e.message()));
    }
}
