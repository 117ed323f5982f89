# placeholder: tests of src/client (issue #11), being written
