/* placeholder: being written (issue #11) */
