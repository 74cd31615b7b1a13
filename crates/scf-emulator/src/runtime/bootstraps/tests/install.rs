//! Installing the bootstraps into a directory.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::super::{Bootstrap, FUNCTION_VARIABLES, install};

#[test]
fn runtimes_map_to_their_bootstrap() {
    assert_eq!(
        Bootstrap::for_runtime("Python3.6"),
        Some(Bootstrap::Python3)
    );
    assert_eq!(
        Bootstrap::for_runtime("Python3.10"),
        Some(Bootstrap::Python3)
    );
    assert_eq!(
        Bootstrap::for_runtime("Nodejs18.15"),
        Some(Bootstrap::Nodejs)
    );
    assert_eq!(Bootstrap::for_runtime("Python2.7"), None);
    assert_eq!(Bootstrap::for_runtime("CustomRuntime"), None);
    assert_eq!(Bootstrap::for_runtime("Go1"), None);
}

#[test]
fn install_writes_each_script_in_a_new_directory() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let dir = root.path().join("bootstraps");
    let installed = install(&dir)?;
    for bootstrap in Bootstrap::ALL {
        assert_eq!(
            fs::read_to_string(installed.path(bootstrap))?,
            bootstrap.source()
        );
    }
    let (program, args) = installed.command(Bootstrap::Nodejs);
    assert_eq!(program, Path::new("node"));
    assert_eq!(args, [dir.join("bootstrap.js").into_os_string()]);
    Ok(())
}

#[test]
fn installing_again_leaves_a_current_script_alone_and_repairs_a_changed_one() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let installed = install(root.path())?;
    let python = installed.path(Bootstrap::Python3);
    let node = installed.path(Bootstrap::Nodejs);
    let node_inode = fs::metadata(&node)?.ino();
    fs::write(&python, "changed")?;
    install(root.path())?;
    assert_eq!(fs::read_to_string(&python)?, Bootstrap::Python3.source());
    // The current script was not rewritten: a rewrite renames a new file into place.
    assert_eq!(fs::metadata(&node)?.ino(), node_inode);
    // No temporary file is left behind.
    let mut names: Vec<_> = fs::read_dir(root.path())?
        .map(|entry| entry.map(|entry| entry.file_name()))
        .collect::<io::Result<_>>()?;
    names.sort();
    assert_eq!(names, ["bootstrap.js", "bootstrap.py"]);
    Ok(())
}

#[test]
fn install_reports_a_directory_it_cannot_create() -> io::Result<()> {
    let root = tempfile::tempdir()?;
    let file = root.path().join("a-file");
    fs::write(&file, "not a directory")?;
    assert!(install(&file.join("inside")).is_err());
    Ok(())
}

#[test]
fn the_environment_points_the_interpreter_at_the_code_and_names_the_functions_variables() {
    let code_dir = Path::new("/srv/code");
    let python = Bootstrap::Python3.environment(code_dir, ["GREETING", "TZ"]);
    assert!(python.contains(&("PYTHONPATH".to_owned(), "/srv/code".to_owned())));
    assert!(python.contains(&(FUNCTION_VARIABLES.to_owned(), "GREETING,TZ".to_owned())));
    let node = Bootstrap::Nodejs.environment(code_dir, []);
    assert!(node.contains(&(
        "NODE_PATH".to_owned(),
        "/srv/code:/srv/code/node_modules".to_owned()
    )));
    assert!(node.contains(&(FUNCTION_VARIABLES.to_owned(), String::new())));
}
