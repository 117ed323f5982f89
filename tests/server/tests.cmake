# placeholder: tests of src/server (issue #11), being written
